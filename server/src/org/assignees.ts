import type { AssigneeRule, Recipient, StaffPrincipal } from '@docket/core';
import { type EntityManager, pgJson, query, queryOne, together } from '@docket/db';
import { mayHandTo } from '../access/policy.ts';
import { TtlCache } from '../auth/ttl-cache.ts';

/** Where a task (or a ticket) goes: one person, or a queue (team, role or org unit) with nobody picked yet. */
export type ResolvedAssignee = {
  userId: number | null;
  teamId: number | null;
  roleId: number | null;
  orgUnitId: number | null;
};

export class AssigneeError extends Error {}

// Up to nine digits: an id beyond PostgreSQL's int is no id (and would fail the cast).
const isNumeric = (s: string): boolean => /^[0-9]{1,9}$/.test(s);

/**
 * Who is who changes rarely and every workflow step asks (its assignee, its CC list, a transfer's
 * target): names to ids, groups to their members and where people sit are cached for two seconds
 * per database, as the principals are.
 * Changes of users, roles, teams or org units in this process clear the caches at once
 * (forgetPeople); other server processes see them within the two seconds.
 */
type PeopleCaches = {
  ids: TtlCache<string, number | null>;
  members: TtlCache<string, number[]>;
  /** Where a person sits (org path and teams), for whether work may be handed to them. */
  places: TtlCache<number, { path: string | null; team_ids: number[] } | null>;
};
const caches = new WeakMap<object, PeopleCaches>();
function cachesOf(em: EntityManager): PeopleCaches {
  const key = em.getConnection() as object;
  let c = caches.get(key);
  if (!c) {
    c = { ids: new TtlCache(2_000), members: new TtlCache(2_000), places: new TtlCache(2_000) };
    caches.set(key, c);
  }
  return c;
}

/** Forgets what the caches know of people (after a change of users, roles, teams or org units). */
export function forgetPeople(em: EntityManager): void {
  const c = caches.get(em.getConnection() as object);
  c?.ids.clear();
  c?.members.clear();
  c?.places.clear();
}

/** A user (active only), team, role or org unit named by id, or by email, name or key. */
export async function idOf(
  tx: EntityManager,
  table: 'app_user' | 'team' | 'role' | 'org_unit',
  ref: string,
): Promise<number | null> {
  const { ids } = cachesOf(tx);
  const key = `${table}:${table === 'app_user' ? ref.toLowerCase() : ref}`;
  const hit = ids.get(key);
  if (hit !== undefined) return hit;
  const id = await readIdOf(tx, table, ref);
  ids.set(key, id);
  return id;
}

async function readIdOf(
  tx: EntityManager,
  table: 'app_user' | 'team' | 'role' | 'org_unit',
  ref: string,
): Promise<number | null> {
  const byName = {
    app_user: 'lower(email) = lower(?)',
    team: 'name = ?',
    role: 'key = ?',
    org_unit: 'name = ?',
  };
  const active = table === 'app_user' ? ' and is_active' : '';
  const row = await queryOne<{ id: number }>(
    tx,
    `select id from ${table} where ${isNumeric(ref) ? 'id = ?::int' : byName[table]}${active}`,
    [ref],
  );
  return row?.id ?? null;
}

const what = { app_user: 'user', team: 'team', role: 'role', org_unit: 'org unit' } as const;

async function mustFind(
  tx: EntityManager,
  table: keyof typeof what,
  ref: string | undefined,
): Promise<number> {
  const id = ref ? await idOf(tx, table, ref) : null;
  if (id === null) throw new AssigneeError(`No active ${what[table]} "${ref ?? ''}" exists.`);
  return id;
}

/**
 * Resolves an assignee rule to a person or a queue. A team rule picks a member holding every
 * listed skill, by round robin (the member who was given a task of this team longest ago) or by
 * least open tasks. Picks are not serialised (that would make every ticket of a team wait for the
 * one before it to commit): picks that share a statement spread over the candidates in the
 * strategy's order, but two picks in statements running at once may go to the same member. A
 * team with no such member keeps the task in its queue.
 */
export async function resolveAssignee(tx: EntityManager, rule: AssigneeRule): Promise<ResolvedAssignee> {
  const none: ResolvedAssignee = { userId: null, teamId: null, roleId: null, orgUnitId: null };
  switch (rule.kind) {
    case 'user':
      return { ...none, userId: await mustFind(tx, 'app_user', rule.userId) };
    case 'role':
      return { ...none, roleId: await mustFind(tx, 'role', rule.roleId) };
    case 'org_unit':
      return { ...none, orgUnitId: await mustFind(tx, 'org_unit', rule.orgUnitId) };
    case 'team': {
      const teamId = await mustFind(tx, 'team', rule.teamId);
      // Picks of the same moment share a statement: in a group of step transactions, and outside
      // any transaction (new tickets' first steps, planned before they are written).
      const picked = await together(
        tx,
        `pickTeamMember:${rule.strategy}`,
        { teamId, skills: rule.skills ?? [] },
        (asks) => pickTeamMembers(tx, rule.strategy, asks),
        { isRead: true },
      );
      return { ...none, teamId, userId: picked };
    }
  }
}

/**
 * Members picked for several asks at once (steps of a group transaction that route to teams at
 * the same moment): asks for the same team and skills take the candidates in the strategy's order
 * one after another, so they spread over the team as picks one by one would.
 */
async function pickTeamMembers(
  tx: EntityManager,
  strategy: string | undefined,
  asks: { teamId: number; skills: string[] }[],
): Promise<(number | null)[]> {
  // The strategy's order of a team's candidates `m`. A lone candidate is picked without it: the
  // least loaded member's open tasks are counted one by one, and a team of one has nobody to
  // compare with (`size` is the number of candidates).
  const order =
    strategy === 'least_loaded'
      ? `case when size > 1 then (select count(*) from workflow_task w where w.assignee_user_id = m.user_id and w.status = 'open') end, m.user_id`
      : `case when size > 1 then (select max(w.created_at) from workflow_task w where w.team_id = m.team_id and w.assignee_user_id = m.user_id) end asc nulls first, m.user_id`;
  if (asks.length === 1) {
    const picked = await queryOne<{ user_id: number }>(
      tx,
      `with c as materialized (
         select m.user_id, m.team_id from team_member m join app_user u on u.id = m.user_id and u.is_active
          where m.team_id = ? and m.skills @> ?::text[]
       )
       select m.user_id from c m, lateral (select count(*) as size from c) n order by ${order} limit 1`,
      [asks[0]!.teamId, asks[0]!.skills],
    );
    return [picked?.user_id ?? null];
  }
  // Each team's candidates are put in the strategy's order once (materialized), however many asks
  // name the team.
  const rows = await query<{ user_id: number | null }>(
    tx,
    `with a as (
       select e.n, (e.v->>'teamId')::int as team_id, array(select jsonb_array_elements_text(e.v->'skills')) as skills,
              row_number() over (partition by e.v->'teamId', e.v->'skills' order by e.n) - 1 as k
         from jsonb_array_elements(?::jsonb) with ordinality as e(v, n)
     ),
     teams as (select distinct team_id, skills from a),
     candidates as materialized (
       select t.team_id, t.skills, m.user_id, count(*) over (partition by t.team_id, t.skills) as size
         from teams t
         join team_member m on m.team_id = t.team_id and m.skills @> t.skills
         join app_user u on u.id = m.user_id and u.is_active
     ),
     ranked as materialized (
       select m.team_id, m.skills, m.user_id, m.size,
              row_number() over (partition by m.team_id, m.skills order by ${order}) - 1 as rank
         from candidates m
     )
     select (select r.user_id from ranked r
              where r.team_id = a.team_id and r.skills = a.skills and r.rank = a.k % r.size) as user_id
       from a order by a.n`,
    [pgJson(asks)],
  );
  return rows.map((r) => r.user_id);
}

/**
 * Whether a staff member may hand work to this target (the rule: access policy mayHandTo), with
 * the target person's place read here.
 */
export async function canHandTo(
  tx: EntityManager,
  actor: StaffPrincipal,
  rule: AssigneeRule,
  target: ResolvedAssignee,
): Promise<boolean> {
  if (rule.kind !== 'user' || target.userId === null) return mayHandTo(actor, null);
  return canHandToPerson(tx, actor, target.userId);
}

/** Whether a staff member may hand work to this person (access policy mayHandTo). */
export async function canHandToPerson(
  tx: EntityManager,
  actor: StaffPrincipal,
  userId: number,
): Promise<boolean> {
  const { places } = cachesOf(tx);
  let person = places.get(userId);
  if (person === undefined) {
    person =
      (await queryOne<{ path: string | null; team_ids: number[] }>(
        tx,
        `select o.path, array(select m.team_id from team_member m where m.user_id = u.id) as team_ids
           from app_user u left join org_unit o on o.id = u.org_unit_id where u.id = ?`,
        [userId],
      )) ?? null;
    places.set(userId, person);
  }
  return person !== null && mayHandTo(actor, { userId, orgPath: person.path, teamIds: person.team_ids });
}

/** People a notification reaches, as user and customer ids. */
export async function resolveRecipients(
  tx: EntityManager,
  recipients: Recipient[],
  ticket: { requester_id: number | null; assignee_id: number | null } | null,
): Promise<{ userIds: number[]; customerIds: number[] }> {
  const users = new Set<number>();
  const customers = new Set<number>();
  for (const r of recipients) {
    switch (r.kind) {
      case 'user': {
        const id = r.id ? await idOf(tx, 'app_user', r.id) : null;
        if (id !== null) users.add(id);
        break;
      }
      case 'team':
      case 'role':
      case 'org_unit': {
        const table = r.kind === 'org_unit' ? 'org_unit' : r.kind;
        const id = r.id ? await idOf(tx, table, r.id) : null;
        if (id === null) break;
        for (const member of await membersOf(tx, r.kind, id)) users.add(member);
        break;
      }
      case 'requester':
        if (ticket?.requester_id) customers.add(ticket.requester_id);
        break;
      case 'assignee':
        if (ticket?.assignee_id) users.add(ticket.assignee_id);
        break;
    }
  }
  return { userIds: [...users], customerIds: [...customers] };
}

/** The members of a team, a role or an org unit (its active users), cached as idOf is. */
async function membersOf(
  tx: EntityManager,
  kind: 'team' | 'role' | 'org_unit',
  id: number,
): Promise<number[]> {
  const { members } = cachesOf(tx);
  const key = `${kind}:${id}`;
  const hit = members.get(key);
  if (hit) return hit;
  const sql = {
    team: 'select user_id as id from team_member where team_id = ?',
    role: 'select user_id as id from user_role where role_id = ?',
    org_unit: 'select id from app_user where org_unit_id = ? and is_active',
  }[kind];
  const found = (await query<{ id: number }>(tx, sql, [id])).map((row) => row.id);
  members.set(key, found);
  return found;
}
