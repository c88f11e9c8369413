import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { StaffPrincipal } from '@docket/core';
import { describe, expect, it } from 'vitest';
import {
  mayActOnTask,
  mayHandTo,
  mayReportOnOrgUnit,
  requireCreateTicket,
  requirePostMessage,
  requireSelfOr,
} from './policy.ts';

const staff = (over: Partial<StaffPrincipal> = {}): StaffPrincipal => ({
  kind: 'user',
  userId: 7,
  name: 'Agent',
  orgUnitId: 3,
  orgPath: '/1/3/',
  teamIds: [5],
  roleIds: [2],
  permissions: new Set(['ticket.read', 'ticket.update']),
  scope: 'org_subtree',
  viaTokenId: null,
  ...over,
});
const open = { assigneeUserId: null, teamId: null, roleId: null, orgUnitId: null };

describe('access policy', () => {
  it('lets the holder, a queue member while nobody holds the task, and a dispatcher act on a task', () => {
    expect(mayActOnTask(staff(), { ...open, assigneeUserId: 7 })).toBe(true);
    expect(mayActOnTask(staff(), { ...open, assigneeUserId: 8, teamId: 5 })).toBe(false);
    expect(mayActOnTask(staff(), { ...open, teamId: 5 })).toBe(true);
    expect(mayActOnTask(staff(), { ...open, teamId: 6 })).toBe(false);
    expect(mayActOnTask(staff(), { ...open, orgUnitId: 3 })).toBe(true);
    expect(mayActOnTask(staff(), { ...open, roleId: 2 })).toBe(true);
    expect(mayActOnTask(staff(), { ...open, roleId: 4 })).toBe(false);
    const dispatcher = staff({ permissions: new Set(['ticket.read', 'ticket.assign']), teamIds: [] });
    expect(mayActOnTask(dispatcher, { ...open, assigneeUserId: 8 })).toBe(true);
    expect(mayActOnTask({ ...dispatcher, scope: 'own' }, { ...open, assigneeUserId: 8 })).toBe(false);
  });

  it('narrows a report to units of the own subtree only, or to any with scope all', () => {
    expect(mayReportOnOrgUnit(staff(), '/1/3/')).toBe(true);
    expect(mayReportOnOrgUnit(staff(), '/1/3/4/')).toBe(true);
    expect(mayReportOnOrgUnit(staff(), '/1/')).toBe(false);
    expect(mayReportOnOrgUnit(staff(), '/1/2/')).toBe(false);
    expect(mayReportOnOrgUnit(staff({ scope: 'all' }), '/1/2/')).toBe(true);
    expect(mayReportOnOrgUnit(staff({ orgPath: null, scope: 'own' }), '/1/3/')).toBe(false);
  });

  it('hands work to people of the own subtree or teams, to any queue, and anywhere with scope all', () => {
    expect(mayHandTo(staff(), null)).toBe(true);
    expect(mayHandTo(staff(), { userId: 9, orgPath: '/1/3/4/', teamIds: [] })).toBe(true);
    expect(mayHandTo(staff(), { userId: 9, orgPath: '/1/2/', teamIds: [] })).toBe(false);
    expect(mayHandTo(staff(), { userId: 9, orgPath: '/1/2/', teamIds: [5] })).toBe(true);
    expect(mayHandTo(staff(), { userId: 7, orgPath: null, teamIds: [] })).toBe(true);
    expect(mayHandTo(staff({ orgPath: null }), { userId: 9, orgPath: '/1/3/', teamIds: [] })).toBe(false);
    expect(mayHandTo(staff({ scope: 'all' }), { userId: 9, orgPath: '/9/', teamIds: [] })).toBe(true);
  });

  it('names what is missing when it refuses', () => {
    expect(() => requireCreateTicket(null, {})).toThrow(/Log in first/);
    expect(() => requireCreateTicket(staff(), {})).toThrow(/"ticket.create"/);
    const creator = staff({ permissions: new Set(['ticket.create']) });
    expect(requireCreateTicket(creator, {})).toBe(creator);
    expect(() => requireCreateTicket(creator, { assigneeId: 3 })).toThrow(/"ticket.assign"/);
    const customer = { kind: 'customer' as const, customerId: 4, name: 'C' };
    expect(() => requirePostMessage(customer, false)).toThrow(/Customers cannot add internal notes/);
    expect(requirePostMessage(customer, true)).toBe(customer);
    expect(requireSelfOr(staff(), 7, 'token.manage').userId).toBe(7);
    expect(() => requireSelfOr(staff(), 8, 'token.manage')).toThrow(/"token.manage"/);
  });

  it('is the only server code that reads what a principal is allowed', () => {
    const root = join(import.meta.dirname, '..');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (
          name.endsWith('.ts') &&
          !name.endsWith('.test.ts') &&
          path !== join(root, 'access', 'policy.ts')
        ) {
          const text = readFileSync(path, 'utf8');
          if (/\.permissions\.has\(|\.scope\s*[!=]==\s*'/.test(text))
            offenders.push(path.slice(root.length + 1));
        }
      }
    };
    walk(root);
    expect(offenders).toEqual([]);
  });
});
