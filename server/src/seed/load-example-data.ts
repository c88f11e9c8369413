import { PERMISSIONS, type StaffPrincipal } from '@docket/core';
import { forkEm, query, queryOne } from '@docket/db';
import * as examples from '@docket/examples';
import { hashPassword } from '../auth/passwords.ts';
import type { Services } from '../services.ts';
import { createBusinessCalendar } from '../sla/calendar-service.ts';
import { createSlaPolicy } from '../sla/policy-service.ts';
import { createTemplate, publishTemplate } from '../templates/template-service.ts';
import { createTicketStatus } from '../tickets/ticket-statuses.ts';
import { createWorkflow, publishCheckOf, publishWorkflow } from '../workflows/workflow-service.ts';

/**
 * Loads the example pack into an empty database (no users yet) and reports whether it did.
 * Without workflows the templates run none (suites about tickets alone use that).
 * Everything is written in one transaction: a failed load leaves the database empty.
 */
export async function loadExampleData(
  services: Services,
  options: { withWorkflows?: boolean } = {},
): Promise<boolean> {
  const withWorkflows = options.withWorkflows ?? true;
  const em = forkEm(services.db);
  if (await queryOne(em, 'select 1 from app_user limit 1')) return false;
  const passwordHash = await hashPassword(examples.EXAMPLE_PASSWORD);
  await em.transactional(async (tx) => {
    const org = new Map<string, { id: number; path: string }>();
    for (const u of examples.orgUnits) {
      const parent = u.parent ? org.get(u.parent) : undefined;
      const { id } = (await queryOne<{ id: number }>(
        tx,
        "select nextval(pg_get_serial_sequence('org_unit', 'id'))::int as id",
      ))!;
      const path = `${parent?.path ?? '/'}${id}/`;
      await query(tx, 'insert into org_unit (id, parent_id, name, kind, path) values (?, ?, ?, ?, ?)', [
        id,
        parent?.id ?? null,
        u.name,
        u.kind,
        path,
      ]);
      org.set(u.ref, { id, path });
    }
    const roleIds = new Map<string, number>();
    for (const r of examples.roles) {
      const row = await queryOne<{ id: number }>(
        tx,
        'insert into role (key, name, names, permissions, data_scope) values (?, ?, ?, ?, ?) returning id',
        [r.key, r.name, JSON.stringify(r.names), r.permissions, r.dataScope],
      );
      roleIds.set(r.key, row!.id);
    }
    const userIds = new Map<string, number>();
    for (const u of examples.users) {
      const row = await queryOne<{ id: number }>(
        tx,
        'insert into app_user (email, name, password_hash, org_unit_id) values (?, ?, ?, ?) returning id',
        [u.email, u.name, passwordHash, org.get(u.org)!.id],
      );
      userIds.set(u.email, row!.id);
      for (const r of u.roles)
        await query(tx, 'insert into user_role (user_id, role_id) values (?, ?)', [row!.id, roleIds.get(r)]);
    }
    for (const u of examples.users)
      if (u.manager)
        await query(tx, 'update app_user set manager_id = ? where id = ?', [
          userIds.get(u.manager),
          userIds.get(u.email),
        ]);
    for (const o of examples.orgUnits)
      if (o.manager)
        await query(tx, 'update org_unit set manager_id = ? where id = ?', [
          userIds.get(o.manager),
          org.get(o.ref)!.id,
        ]);
    for (const t of examples.teams) {
      const team = await queryOne<{ id: number }>(
        tx,
        'insert into team (name, org_unit_id) values (?, ?) returning id',
        [t.name, org.get(t.org)!.id],
      );
      for (const m of t.members)
        await query(tx, 'insert into team_member (team_id, user_id, skills) values (?, ?, ?)', [
          team!.id,
          userIds.get(m.email),
          m.skills,
        ]);
    }
    for (const c of examples.customers)
      await query(tx, 'insert into customer (name, email, phone, password_hash) values (?, ?, ?, ?)', [
        c.name,
        c.email,
        c.phone,
        passwordHash,
      ]);
    const admin: StaffPrincipal = {
      kind: 'user',
      userId: userIds.get('admin@docket.local')!,
      name: 'seed',
      orgUnitId: org.get('hq')!.id,
      orgPath: org.get('hq')!.path,
      teamIds: [],
      roleIds: [],
      permissions: new Set(PERMISSIONS),
      scope: 'all',
      viaTokenId: null,
    };
    // Workflows name statuses (end nodes) and may name calendars: those come first.
    for (const st of examples.ticketStatuses) await createTicketStatus(tx, admin, st);
    for (const c of examples.businessCalendars) await createBusinessCalendar(services, tx, admin, c);
    if (withWorkflows)
      for (const w of examples.workflows) {
        const row = await createWorkflow(tx, admin, w, services.secrets);
        await publishWorkflow(tx, publishCheckOf(services), admin, row.id);
      }
    for (const t of examples.templates) {
      const { workflowKey, ...plain } = t.content;
      const content = withWorkflows ? t.content : plain;
      const row = await createTemplate(services, tx, admin, { key: t.key, content });
      await publishTemplate(services, tx, admin, row.id);
    }
    for (const p of examples.slaPolicies) await createSlaPolicy(services, tx, admin, p);
  });
  services.principals.invalidate();
  services.sla.catalog.invalidate();
  return true;
}
