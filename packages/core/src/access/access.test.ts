import { describe, expect, it } from 'vitest';
import { canSeeTicket, type StaffPrincipal, widestScope } from './access.ts';

const staff = (over: Partial<StaffPrincipal>): StaffPrincipal => ({
  kind: 'user',
  userId: 10,
  name: 'x',
  orgUnitId: 3,
  orgPath: '/1/2/3/',
  teamIds: [5],
  roleIds: [],
  permissions: new Set(['ticket.read']),
  scope: 'own',
  viaTokenId: null,
  ...over,
});
const ticket = { creatorUserId: 1, assigneeId: null, teamId: null, orgPath: '/1/2/3/', requesterId: 9 };

describe('who may see a ticket', () => {
  it.each([
    ['own: not mine', staff({ scope: 'own' }), ticket, false],
    ['own: I created it', staff({ scope: 'own' }), { ...ticket, creatorUserId: 10 }, true],
    ['own: assigned to me', staff({ scope: 'own' }), { ...ticket, assigneeId: 10 }, true],
    ['team: my team', staff({ scope: 'team' }), { ...ticket, teamId: 5 }, true],
    ['team: other team', staff({ scope: 'team' }), { ...ticket, teamId: 6 }, false],
    ['org_subtree: my unit', staff({ scope: 'org_subtree' }), ticket, true],
    [
      'org_subtree: below my unit',
      staff({ scope: 'org_subtree' }),
      { ...ticket, orgPath: '/1/2/3/8/' },
      true,
    ],
    [
      'org_subtree: sibling with a longer id',
      staff({ scope: 'org_subtree' }),
      { ...ticket, orgPath: '/1/2/33/' },
      false,
    ],
    ['org_subtree: parent', staff({ scope: 'org_subtree' }), { ...ticket, orgPath: '/1/2/' }, false],
    ['all', staff({ scope: 'all' }), { ...ticket, orgPath: '/' }, true],
    ['no ticket.read', staff({ scope: 'all', permissions: new Set() }), ticket, false],
  ] as const)('%s', (_label, principal, t, expected) => {
    expect(canSeeTicket(principal, t)).toBe(expected);
  });

  it('customers see their own tickets only', () => {
    expect(canSeeTicket({ kind: 'customer', customerId: 9, name: 'c' }, ticket)).toBe(true);
    expect(canSeeTicket({ kind: 'customer', customerId: 8, name: 'c' }, ticket)).toBe(false);
  });

  it('a user with several roles gets the widest scope', () => {
    expect(widestScope(['own', 'org_subtree', 'team'])).toBe('org_subtree');
    expect(widestScope([])).toBe('own');
  });
});
