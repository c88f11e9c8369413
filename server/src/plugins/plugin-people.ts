import type { JsonValue, StaffPrincipal } from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import type { FollowUpRequest, PluginNotice, TicketGrant } from '@docket/sandbox';
import type { Principals } from '../auth/principals.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { idOf } from '../org/assignees.ts';
import { type CreateTicketDeps, createTicket } from '../tickets/create-ticket.ts';
import { SYSTEM_ACTOR } from '../tickets/ticket-store.ts';

/**
 * What plugins granted `org`, `notify` and `followUps` reach of the server: people around a
 * ticket (a user's manager, a team's members with their skills and open work), notices through
 * the server's notifier, and follow-up tickets opened in the name of the person they are for, so
 * the access policy that person is under decides what the follow-up may be.
 */

/** What acting for plugins needs of the server's services (the whole Services satisfies it). */
export type PluginPeopleDeps = CreateTicketDeps & { principals: Principals; notifier: Notifier };

type PersonRow = {
  id: number;
  name: string;
  email: string;
  phone: string | null;
  org_unit_id: number | null;
  org_unit_name: string | null;
};

const PERSON_COLUMNS = `u.id, u.name, u.email, u.phone, o.id as org_unit_id, o.name as org_unit_name`;

const personOf = (r: PersonRow) => ({
  id: r.id,
  name: r.name,
  email: r.email,
  phone: r.phone,
  orgUnit: r.org_unit_id === null ? null : { id: r.org_unit_id, name: r.org_unit_name ?? '' },
});

/**
 * A user's manager while active, or null: the manager of their org unit (else of the nearest unit
 * above it that has one; never the user themself, so a unit's manager escalates upwards), and
 * failing that the person they report to (app_user.manager_id).
 */
export async function managerOfUser(em: EntityManager, userId: number): Promise<JsonValue> {
  const row =
    (await queryOne<PersonRow>(
      em,
      `select ${PERSON_COLUMNS} from app_user w
         join org_unit wu on wu.id = w.org_unit_id
         join org_unit a on starts_with(wu.path, a.path)
         join app_user u on u.id = a.manager_id and u.is_active and u.id <> w.id
         left join org_unit o on o.id = u.org_unit_id
        where w.id = ?
        order by length(a.path) desc limit 1`,
      [userId],
    )) ??
    (await queryOne<PersonRow>(
      em,
      `select ${PERSON_COLUMNS} from app_user w
         join app_user u on u.id = w.manager_id and u.is_active
         left join org_unit o on o.id = u.org_unit_id
        where w.id = ?`,
      [userId],
    ));
  return row ? personOf(row) : null;
}

/**
 * A team's active members (the team by id or name) who hold every skill named, with their open
 * work: tickets they handle that are not solved or closed, and open workflow tasks; least loaded
 * first (tickets, then tasks, then id).
 */
export async function teamMembersOf(em: EntityManager, team: string, skills: string[]): Promise<JsonValue> {
  const teamId = await idOf(em, 'team', team);
  if (teamId === null) throw new Error(`No team "${team.slice(0, 200)}" exists (name it by id or name).`);
  const rows = await query<
    PersonRow & { team_name: string; skills: string[]; open_tickets: number; open_tasks: number }
  >(
    em,
    `select ${PERSON_COLUMNS}, t.name as team_name, m.skills,
            (select count(*)::int from ticket k where k.assignee_id = u.id and k.status not in ('solved', 'closed')) as open_tickets,
            (select count(*)::int from workflow_task w where w.assignee_user_id = u.id and w.status = 'open') as open_tasks
       from team t join team_member m on m.team_id = t.id
       join app_user u on u.id = m.user_id and u.is_active
       left join org_unit o on o.id = u.org_unit_id
      where t.id = ? and m.skills @> ?::text[]
      order by open_tickets, open_tasks, u.id`,
    [teamId, skills],
  );
  const name =
    rows[0]?.team_name ??
    (await queryOne<{ name: string }>(em, 'select name from team where id = ?', [teamId]))!.name;
  return {
    team: { id: teamId, name },
    members: rows.map((r) => ({
      ...personOf(r),
      skills: r.skills,
      openTickets: r.open_tickets,
      openTasks: r.open_tasks,
    })),
  };
}

/**
 * A plugin's notice to users (active ones only), in-app and through the targets named that are
 * installed: the notifier writes it and enqueues the deliveries in one transaction, and each
 * delivery's result lands on the ticket's timeline. An SLA action's notices count as SLA notices
 * for people's preferences.
 */
export async function sendPluginNotice(
  services: Pick<PluginPeopleDeps, 'notifier'>,
  em: EntityManager,
  input: {
    plugin: string;
    handler: string;
    callId: string;
    ticket: TicketGrant | null;
    notice: PluginNotice;
  },
): Promise<JsonValue> {
  const { notice, ticket } = input;
  const users = await query<{ id: number }>(
    em,
    'select id from app_user where id = any(?::int[]) and is_active order by id',
    [notice.userIds],
  );
  const targets = notice.targets.filter((t) => services.notifier.knows(t));
  const unknownTargets = notice.targets.filter((t) => !services.notifier.knows(t));
  const kind = input.handler.startsWith('sla:') ? 'sla' : 'plugin';
  const key = `${kind}:${input.plugin}:${ticket?.id ?? '-'}:${notice.key ?? input.callId}`;
  if (users.length > 0)
    await em.transactional((tx) =>
      services.notifier.send(tx, [
        {
          key,
          ticketId: ticket?.id ?? null,
          subject: notice.subject,
          body: notice.text,
          to: { userIds: users.map((u) => u.id), customerIds: [] },
          targets,
        },
      ]),
    );
  return { notified: users.length, targets: users.length > 0 ? targets : [], unknownTargets };
}

/**
 * Opens a follow-up of the call's ticket for a person: in their name (the access policy they are
 * under decides, as if they opened it themselves: they need ticket.create, and it lands in their
 * org unit), assigned to them, for the same customer, of the same template unless another is
 * named. Both timelines name the other ticket; the follow-up keeps the ticket it follows in its
 * `followUpOf` field. Returns the follow-up's id.
 *
 * Idempotent: the follow-up is kept under the plugin, the ticket and a key (the plugin's, else
 * one made of whom it is for and its title), unique together, and all of it (the ticket, the key,
 * both timelines) commits in one transaction. A repeated call, or a plugin's retry after a crash,
 * answers the follow-up already opened; a crash part-way leaves nothing.
 */
export async function openFollowUp(
  services: PluginPeopleDeps,
  em: EntityManager,
  input: { plugin: string; ticket: TicketGrant; followUp: FollowUpRequest },
): Promise<string> {
  const { followUp } = input;
  const key = followUp.key ?? `for:${followUp.forUserId}:${followUp.title}`;
  const opened = () =>
    queryOne<{ id: string }>(
      em,
      'select follow_up_id::text as id from plugin_follow_up where plugin = ? and ticket_id = ? and key = ?',
      [input.plugin, input.ticket.id, key],
    );
  const before = await opened();
  if (before) return before.id;
  const original = await queryOne<{
    id: string;
    number: string;
    template_key: string;
    requester_id: number | null;
    priority: string;
    form_data: Record<string, unknown>;
  }>(
    em,
    `select k.id::text as id, k.number, t.key as template_key, k.requester_id, k.priority, k.form_data
       from ticket k join ticket_template t on t.id = k.template_id where k.id = ?`,
    [input.ticket.id],
  );
  if (!original) throw new Error(`ticket ${input.ticket.id} does not exist`);
  const person: StaffPrincipal | null = await services.principals.staffById(followUp.forUserId);
  if (!person)
    throw new Error(`forUserId: no active user ${followUp.forUserId} exists to open the follow-up for`);
  const templateKey = followUp.templateKey ?? original.template_key;
  const taken = new Error('the follow-up key is taken');
  const id = await em
    .transactional(async (tx) => {
      const row = await createTicket(services, tx, person, 'agent', {
        templateKey,
        title: followUp.title,
        description: followUp.description ?? null,
        // The same template follows the same case: its form as the original has it, unless given.
        formData: followUp.formData ?? (templateKey === original.template_key ? original.form_data : {}),
        priority: (followUp.priority ?? original.priority) as never,
        requesterId: original.requester_id,
      });
      const newId = String(row.id);
      // The key: a call racing this one for the same key waits here, then finds it taken.
      const claimed = await queryOne(
        tx,
        `insert into plugin_follow_up (plugin, ticket_id, key, follow_up_id) values (?, ?, ?, ?)
         on conflict do nothing returning key`,
        [input.plugin, original.id, key, newId],
      );
      if (!claimed) throw taken;
      // Assigned to the person it is for (taking work oneself needs no assign permission).
      await services.tickets.change(tx, newId, {
        fields: { assigneeId: person.userId },
        participants: [person.userId],
        custom: { followUpOf: original.number },
        entry: {
          kind: 'ticket.follow_up_of',
          body: `A follow-up of ${original.number}, opened by the plugin "${input.plugin}" for ${person.name}.`,
          isPublic: false,
        },
        actor: SYSTEM_ACTOR,
        origin: 'plugin',
      });
      await services.tickets.append(tx, [
        {
          ticketId: original.id,
          kind: 'ticket.follow_up',
          body: `Follow-up ${row.number} opened for ${person.name} by the plugin "${input.plugin}".`,
          diff: { followUp: { from: null, to: row.number } },
          actor: SYSTEM_ACTOR,
          isPublic: false,
        },
      ]);
      return newId;
    })
    .catch(async (e) => {
      if (e !== taken) throw e;
      return (await opened())!.id;
    });
  return id;
}
