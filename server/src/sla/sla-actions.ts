import {
  PRIORITIES,
  type Priority,
  type Recipient,
  type SlaAction,
  type SlaNotifyAction,
  type SlaRecipient,
} from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import type { SlaFiring } from '@docket/engine';
import {
  type Notice,
  type NotificationRecipients,
  notify,
  recipientsOfNotice,
} from '../notifications/notify.ts';
import { AssigneeError, resolveAssignee, resolveRecipients } from '../workflows/assignees.ts';
import { durationText, metricLabel, type SlaAuditRow } from './sla-audit.ts';

/**
 * Runs the actions SLA timers fire, inside the ticket's transaction (the ticket row is locked):
 * notify, escalate one org level up, raise priority, reassign. Each returns its audit row and
 * what it changed on the ticket, so the caller can feed the change back to the clocks.
 */

export type TicketFacts = {
  id: string | number;
  number: string;
  title: string;
  priority: Priority;
  requester_id: number | null;
  assignee_id: number | null;
  org_unit_id: number | null;
};

export type ActionResult = {
  audit: SlaAuditRow;
  /** The ticket's priority changed: the clocks must hear it. */
  priority?: Priority;
  /** Something a policy condition reads changed (org unit): select the policy again. */
  isFactChanged?: boolean;
};

const FACT_COLUMNS = 'id, number, title, priority, requester_id, assignee_id, org_unit_id';

const loadTicket = async (tx: EntityManager, ticketId: string | number): Promise<TicketFacts> =>
  (await queryOne<TicketFacts>(tx, `select ${FACT_COLUMNS} from ticket where id = ?`, [ticketId]))!;

/**
 * What a batch of timers shares: the tickets' facts read with one statement (an action that
 * changes a ticket drops its entry, so the next action reads it again), and the notices to
 * write with one statement at the end.
 */
export class SlaActionBatch {
  readonly notices: Notice[] = [];
  private constructor(private readonly facts: Map<string, TicketFacts>) {}

  static async load(tx: EntityManager, ticketIds: string[]): Promise<SlaActionBatch> {
    const rows = await query<TicketFacts>(
      tx,
      `select ${FACT_COLUMNS} from ticket where id = any(?::bigint[])`,
      [ticketIds],
    );
    return new SlaActionBatch(new Map(rows.map((r) => [String(r.id), r])));
  }

  factsOf(ticketId: string | number): TicketFacts | undefined {
    return this.facts.get(String(ticketId));
  }

  forget(ticketId: string | number): void {
    this.facts.delete(String(ticketId));
  }
}

/** "10 min before the first response target", "at the resolution breach", "1 h after …". */
function momentText(firing: SlaFiring): string {
  const label = metricLabel(firing.metric).toLowerCase();
  const offset = firing.action.offsetMinutes;
  if (offset === 0) return `at the ${label} breach`;
  const span = durationText(Math.abs(offset) * 60);
  return offset < 0 ? `${span} before the ${label} target` : `${span} after the ${label} breach`;
}

/** A user's manager while the manager is active (a deactivated handler's manager still counts). */
export async function managerOf(tx: EntityManager, userId: number | null): Promise<number | null> {
  if (userId === null) return null;
  const row = await queryOne<{ id: number }>(
    tx,
    'select m.id from app_user u join app_user m on m.id = u.manager_id and m.is_active where u.id = ?',
    [userId],
  );
  return row?.id ?? null;
}

/** The CC lists of the ticket's open workflow tasks, as people. */
export async function ccOfOpenTasks(
  tx: EntityManager,
  ticket: { id: string | number; requester_id: number | null; assignee_id: number | null },
): Promise<NotificationRecipients> {
  const tasks = await query<{ cc: Recipient[] }>(
    tx,
    "select cc from workflow_task where ticket_id = ? and status = 'open' order by created_at",
    [ticket.id],
  );
  const users = new Set<number>();
  const customers = new Set<number>();
  for (const task of tasks) {
    const people = await resolveRecipients(tx, task.cc ?? [], ticket);
    for (const id of people.userIds) users.add(id);
    for (const id of people.customerIds) customers.add(id);
  }
  return { userIds: [...users], customerIds: [...customers] };
}

async function recipientsOf(
  tx: EntityManager,
  ticket: TicketFacts,
  recipients: SlaRecipient[],
): Promise<NotificationRecipients> {
  const users = new Set<number>();
  const customers = new Set<number>();
  for (const r of recipients) {
    switch (r.kind) {
      case 'cc': {
        const cc = await ccOfOpenTasks(tx, ticket);
        for (const id of cc.userIds) users.add(id);
        for (const id of cc.customerIds) customers.add(id);
        break;
      }
      case 'assignee':
        if (ticket.assignee_id !== null) users.add(ticket.assignee_id);
        break;
      case 'assignee_manager': {
        const manager = await managerOf(tx, ticket.assignee_id);
        if (manager !== null) users.add(manager);
        break;
      }
      case 'customer':
        if (ticket.requester_id !== null) customers.add(ticket.requester_id);
        break;
      case 'user': {
        const named = await resolveRecipients(tx, [{ kind: 'user', id: r.id }], null);
        for (const id of named.userIds) users.add(id);
        break;
      }
    }
  }
  return { userIds: [...users], customerIds: [...customers] };
}

async function runNotify(
  tx: EntityManager,
  ticket: TicketFacts,
  firing: SlaFiring,
  action: SlaNotifyAction,
  batch: SlaActionBatch | undefined,
): Promise<ActionResult> {
  const to = await recipientsOf(tx, ticket, action.recipients);
  const moment = momentText(firing);
  const subject = `SLA ${moment}: ${ticket.number}`;
  const body =
    action.message ??
    `Ticket ${ticket.number} "${ticket.title}": ${metricLabel(firing.metric).toLowerCase()} ${
      firing.action.offsetMinutes < 0 ? 'is due' : 'was due'
    } at ${firing.dueAt ?? firing.fireAt}.`;
  const notice: Notice = { key: `sla:${ticket.id}:${firing.key}`, ticketId: ticket.id, subject, body, to };
  let count: number;
  if (batch) {
    batch.notices.push(notice);
    count = recipientsOfNotice(notice).length;
  } else count = await notify(tx, notice);
  const outside = action.targets?.length
    ? ` Outside targets (${action.targets.join(', ')}) need their notification plugins, which are not installed; only in-app notices went out.`
    : '';
  return {
    audit: {
      kind: 'sla.action',
      body:
        count === 0
          ? `Notify ${moment}: nobody to notify (${action.recipients.map((r) => r.kind).join(', ')}).${outside}`
          : `Notified ${count} ${count === 1 ? 'person' : 'people'} ${moment}.${outside}`,
      diff: {
        notified: {
          from: null,
          to: [...to.userIds.map((id) => `user:${id}`), ...to.customerIds.map((id) => `customer:${id}`)],
        },
      },
    },
  };
}

async function runEscalate(
  tx: EntityManager,
  ticket: TicketFacts,
  firing: SlaFiring,
  levels: number,
): Promise<ActionResult> {
  const moment = momentText(firing);
  if (ticket.org_unit_id === null)
    return {
      audit: {
        kind: 'sla.action',
        body: `Escalate ${moment}: the ticket belongs to no org unit, so there is no level above it.`,
        diff: {},
      },
    };
  let target = ticket.org_unit_id;
  let climbed = 0;
  while (climbed < levels) {
    const unit = await queryOne<{ parent_id: number | null }>(
      tx,
      'select parent_id from org_unit where id = ?',
      [target],
    );
    if (!unit?.parent_id) break;
    target = unit.parent_id;
    climbed++;
  }
  if (climbed === 0)
    return {
      audit: {
        kind: 'sla.action',
        body: `Escalate ${moment}: the ticket is already at the top of the org tree.`,
        diff: {},
      },
    };
  // The handler keeps seeing the ticket after it moves up.
  await query(
    tx,
    `update ticket set org_unit_id = ?, org_path = (select path from org_unit where id = ?),
            participant_ids = case when assignee_id is null then participant_ids
                                   else array(select distinct unnest(participant_ids || assignee_id) order by 1) end,
            updated_at = now()
      where id = ?`,
    [target, target, ticket.id],
  );
  const names = await query<{ id: number; name: string }>(
    tx,
    'select id, name from org_unit where id in (?, ?)',
    [ticket.org_unit_id, target],
  );
  const nameOf = (id: number) => names.find((n) => n.id === id)?.name ?? String(id);
  return {
    audit: {
      kind: 'sla.action',
      body: `Escalated ${moment}: ${nameOf(ticket.org_unit_id)} -> ${nameOf(target)}${climbed < levels ? ' (the top of the org tree)' : ''}.`,
      diff: { orgUnitId: { from: ticket.org_unit_id, to: target } },
    },
    isFactChanged: true,
  };
}

async function runRaisePriority(
  tx: EntityManager,
  ticket: TicketFacts,
  firing: SlaFiring,
  to: Priority | undefined,
): Promise<ActionResult> {
  const moment = momentText(firing);
  const current = PRIORITIES.indexOf(ticket.priority);
  const wanted = to === undefined ? Math.max(0, current - 1) : PRIORITIES.indexOf(to);
  if (wanted >= current)
    return {
      audit: {
        kind: 'sla.action',
        body: `Raise priority ${moment}: the ticket is already ${ticket.priority}; priorities are never lowered.`,
        diff: {},
      },
    };
  const next = PRIORITIES[wanted]!;
  await query(tx, 'update ticket set priority = ?, updated_at = now() where id = ?', [next, ticket.id]);
  return {
    audit: {
      kind: 'sla.action',
      body: `Raised the priority ${moment}: ${ticket.priority} -> ${next}.`,
      diff: { priority: { from: ticket.priority, to: next } },
    },
    priority: next,
    isFactChanged: true,
  };
}

async function runReassign(
  tx: EntityManager,
  ticket: TicketFacts,
  firing: SlaFiring,
  action: Extract<SlaAction, { kind: 'reassign' }>,
): Promise<ActionResult> {
  const moment = momentText(firing);
  try {
    const a = await resolveAssignee(tx, action.to);
    await query(
      tx,
      `update ticket set assignee_id = ?, team_id = coalesce(?, team_id), org_unit_id = coalesce(?, org_unit_id),
              org_path = coalesce((select path from org_unit where id = ?::int), org_path),
              participant_ids = case when ?::int is null then participant_ids
                                     else array(select distinct unnest(participant_ids || ?::int) order by 1) end,
              updated_at = now()
        where id = ?`,
      [a.userId, a.teamId, a.orgUnitId, a.orgUnitId, a.userId, a.userId, ticket.id],
    );
    const diff: SlaAuditRow['diff'] = {};
    if (a.userId !== ticket.assignee_id) diff.assigneeId = { from: ticket.assignee_id, to: a.userId };
    if (a.teamId !== null) diff.teamId = { from: null, to: a.teamId };
    if (a.orgUnitId !== null && a.orgUnitId !== ticket.org_unit_id)
      diff.orgUnitId = { from: ticket.org_unit_id, to: a.orgUnitId };
    return {
      audit: { kind: 'sla.action', body: `Reassigned ${moment}.`, diff },
      isFactChanged: a.orgUnitId !== null,
    };
  } catch (e) {
    if (!(e instanceof AssigneeError)) throw e;
    return {
      audit: {
        kind: 'sla.action',
        body: `Reassign ${moment} did nothing: ${e.message} Fix the policy's reassign action.`,
        diff: {},
      },
    };
  }
}

/** Runs one fired action on the (locked) ticket; within a batch, its notices wait for the batch. */
export async function runSlaAction(
  tx: EntityManager,
  ticketId: string | number,
  firing: SlaFiring,
  batch?: SlaActionBatch,
): Promise<ActionResult> {
  const ticket = batch?.factsOf(ticketId) ?? (await loadTicket(tx, ticketId));
  const action = firing.action;
  // Every action but notify may change the ticket: a later action reads it again.
  if (action.kind !== 'notify') batch?.forget(ticketId);
  switch (action.kind) {
    case 'notify':
      return runNotify(tx, ticket, firing, action, batch);
    case 'escalate':
      return runEscalate(tx, ticket, firing, action.levels ?? 1);
    case 'raise_priority':
      return runRaisePriority(tx, ticket, firing, action.to);
    case 'reassign':
      return runReassign(tx, ticket, firing, action);
    case 'plugin':
      return {
        audit: {
          kind: 'sla.action',
          body: `The plugin SLA action ${action.plugin}/${action.action} ${momentText(firing)} did not run: plugins are not available yet.`,
          diff: {},
        },
      };
  }
}
