import { type Channel, fieldError, type Principal, type Recipient, ValidationFailed } from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { checkUrgeRules, decideUrge, type UrgeHandler, type UrgeRules } from '@docket/engine';
import { requireSignedIn, requireStaff } from '../access/policy.ts';
import { diffOf, recordAdminChange } from '../audit/admin-audit.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { resolveRecipients } from '../org/assignees.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { actorOf, type TicketStore } from '../tickets/ticket-store.ts';
import { ccOfOpenTasks, managerOf } from './sla-actions.ts';
import { insertUrge, openStepsOf, readClockState, urgesOf } from './sla-repository.ts';

/**
 * Urging (催单): the ticket's creator or anyone on the CC list of its open step asks, with one
 * click, for it to be handled. The handler is notified; once the step is past its time limit the
 * handler's manager too; one person may urge a ticket once per `minMinutesBetween` minutes.
 */

export const DEFAULT_URGE_RULES: UrgeRules = { minMinutesBetween: 30, managerFromUrge: 1 };
const RULES_KEY = 'urge_rules';
const MAX_NOTE = 2000;

export async function urgeRules(em: EntityManager): Promise<UrgeRules> {
  const row = await queryOne<{ value: UrgeRules }>(em, 'select value from app_setting where key = ?', [
    RULES_KEY,
  ]);
  return row?.value ?? DEFAULT_URGE_RULES;
}

export async function updateUrgeRules(
  em: EntityManager,
  principal: Principal | null,
  rules: unknown,
): Promise<UrgeRules> {
  requireStaff(principal, 'sla.manage');
  const errors = checkUrgeRules(rules);
  if (errors.length)
    throw new ValidationFailed(errors, 'The urge rules were not saved: fix the fields listed.');
  await em.transactional(async (tx) => {
    const before = await urgeRules(tx);
    await query(
      tx,
      `insert into app_setting (key, value) values (?, ?::jsonb)
     on conflict (key) do update set value = excluded.value`,
      [RULES_KEY, JSON.stringify(rules)],
    );
    const diff = diffOf(before as Record<string, unknown>, rules as Record<string, unknown>);
    if (diff)
      recordAdminChange(tx, principal, {
        action: 'update',
        entityType: 'urge_rules',
        entityId: RULES_KEY,
        entityName: 'Urge rules',
        diff,
      });
  });
  return rules as UrgeRules;
}

export type UrgeOutcome = {
  id: string;
  ticket: TicketRow;
  urgeNumber: number;
  isOverdue: boolean;
  notifiedUserIds: number[];
  urgedAt: Date;
};

const principalId = (p: Principal): string =>
  p.kind === 'user' ? `user:${p.userId}` : `customer:${p.customerId}`;
const userIdOf = (id: string): number => Number(id.slice('user:'.length));

export async function urgeTicket(
  services: { tickets: TicketStore; notifier: Notifier; clock: { now(): number } },
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: { id: string | number; note?: string | null },
): Promise<UrgeOutcome> {
  const p = requireSignedIn(principal);
  const note = input.note?.trim() || null;
  if (note && note.length > MAX_NOTE)
    throw new ValidationFailed([
      fieldError('/note', 'too_long', `A note may have at most ${MAX_NOTE} characters.`),
    ]);
  return em.transactional(async (tx) => {
    const ticket = await findVisibleTicket(tx, p, { id: input.id }, { forUpdate: true });
    const tasks = await openStepsOf(tx, ticket.id);
    // The same people an SLA escalation reaches: the open steps' CC lists, their handlers (else
    // the ticket's assignee) and those handlers' managers.
    const people = await ccOfOpenTasks(tx, ticket);
    const cc = [
      ...people.userIds.map((id) => `user:${id}`),
      ...people.customerIds.map((id) => `customer:${id}`),
    ];
    const assigned = tasks.flatMap((t) => (t.assignee_user_id === null ? [] : [t.assignee_user_id]));
    if (assigned.length === 0 && ticket.assignee_id !== null) assigned.push(ticket.assignee_id);
    // Nobody holds it yet: the urge reaches the queue it waits in (the open step's team, role or
    // org unit, else the ticket's team), whose members pick work from there.
    if (assigned.length === 0) assigned.push(...(await queueMembers(tx, tasks, ticket)));
    const handlers: UrgeHandler[] = [];
    for (const userId of assigned) {
      const managerId = await managerOf(tx, userId);
      handlers.push({ userId: `user:${userId}`, managerId: managerId === null ? null : `user:${managerId}` });
    }
    // The step's time limit; a ticket without an open step is measured by its resolution target.
    const task = tasks[0];
    let step: { id: string; dueAt: string | null; title: string };
    if (task)
      step = {
        id: task.id,
        dueAt: task.due_at ? new Date(task.due_at).toISOString() : null,
        title: task.title,
      };
    else {
      const sla = { state: await readClockState(tx, ticket.id) };
      step = { id: 'ticket', dueAt: sla.state?.clocks.resolution?.dueAt ?? null, title: 'the ticket' };
    }
    const previous = await urgesOf(tx, ticket.id);
    const decision = decideUrge({
      by: principalId(p),
      at: new Date(services.clock.now()).toISOString(),
      ticket: {
        creatorId: ticket.creator_user_id !== null ? `user:${ticket.creator_user_id}` : null,
        requesterId: ticket.requester_id !== null ? `customer:${ticket.requester_id}` : null,
        cc,
        category: ticket.status,
        handlers,
      },
      step: { id: step.id, dueAt: step.dueAt },
      previousUrges: previous.map((u) => ({
        by: u.urged_by,
        at: new Date(u.urged_at).toISOString(),
        stepId: u.step_id,
      })),
      rules: await urgeRules(tx),
    });
    if (!decision.ok)
      throw new ValidationFailed(
        [fieldError('/id', decision.code, decision.message)],
        `The ticket was not urged: ${decision.message}`,
      );

    const notifiedUserIds = decision.notify.map((n) => userIdOf(n.userId));
    const urgeId = await insertUrge(tx, {
      ticketId: ticket.id,
      by: decision.record.by,
      stepId: decision.record.stepId,
      note,
      at: decision.record.at,
      notified: notifiedUserIds,
    });
    const who = p.name;
    const late = decision.overdue ? ` It is past its time limit (${step.dueAt}).` : '';
    const said = note ? ` "${note}"` : '';
    await services.notifier.send(
      tx,
      (['handler', 'handler_manager'] as const).map((role) => ({
        key: `urge:${urgeId}:${role}`,
        ticketId: ticket.id,
        subject: `Urged (${decision.urgeNumber}): ${ticket.number}`,
        body:
          role === 'handler'
            ? `${who} urged ticket ${ticket.number} "${ticket.title}" (${step.title}).${said}${late}`
            : `${who} urged ticket ${ticket.number} "${ticket.title}", which your report handles (${step.title}).${said}${late}`,
        to: {
          userIds: decision.notify.filter((n) => n.role === role).map((n) => userIdOf(n.userId)),
          customerIds: [],
        },
      })),
    );
    await services.tickets.append(tx, [
      {
        ticketId: ticket.id,
        kind: 'ticket.urged',
        actor: actorOf(p, channel),
        isPublic: p.kind === 'customer',
        body: note,
        diff: {
          urgeNumber: { from: decision.urgeNumber - 1, to: decision.urgeNumber },
          notified: { from: null, to: decision.notify.map((n) => `${n.userId} (${n.role})`) },
          ...(decision.overdue ? { overdue: { from: null, to: step.dueAt } } : {}),
        },
      },
    ]);
    return {
      id: urgeId,
      ticket,
      urgeNumber: decision.urgeNumber,
      isOverdue: decision.overdue,
      notifiedUserIds,
      urgedAt: new Date(decision.record.at),
    };
  });
}

/** The members of the queues an unassigned ticket waits in (its open steps', else its team's). */
async function queueMembers(
  tx: EntityManager,
  tasks: { team_id: number | null; role_id: number | null; org_unit_id: number | null }[],
  ticket: TicketRow,
): Promise<number[]> {
  const queues: Recipient[] = tasks.flatMap((t): Recipient[] =>
    t.team_id !== null
      ? [{ kind: 'team', id: String(t.team_id) }]
      : t.role_id !== null
        ? [{ kind: 'role', id: String(t.role_id) }]
        : t.org_unit_id !== null
          ? [{ kind: 'org_unit', id: String(t.org_unit_id) }]
          : [],
  );
  if (queues.length === 0 && ticket.team_id !== null)
    queues.push({ kind: 'team', id: String(ticket.team_id) });
  return (await resolveRecipients(tx, queues, null)).userIds;
}
