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
import type { Notice, NotificationRecipients, Notifier } from '../notifications/notifier.ts';
import { recipientsOfNotice } from '../notifications/notifier.ts';
import { AssigneeError, resolveAssignee, resolveRecipients } from '../org/assignees.ts';
import { SYSTEM_ACTOR, type TicketStore } from '../tickets/ticket-store.ts';
import {
  type SlaActionContext,
  type SlaActionRegistry,
  type SlaActionResult,
  type SlaTicketFacts,
  slaActionKey,
} from './sla-action-registry.ts';
import { durationText, metricLabel, type SlaAuditRow } from './sla-audit.ts';

/**
 * The core SLA actions (notify, escalate one org level up, raise priority, reassign), run inside
 * the ticket's transaction (the ticket row is locked) through the SLA action registry, where
 * plugins' actions sit beside them. Each returns its audit row and what it changed on the
 * ticket, so the caller can feed the change back to the clocks. Ticket changes go through the
 * ticket store (origin "sla": the clocks hear them here, not again from the store).
 */

const FACT_COLUMNS = 'id, number, title, priority, requester_id, assignee_id, org_unit_id';

const loadTicket = async (tx: EntityManager, ticketId: string | number): Promise<SlaTicketFacts> =>
  (await queryOne<SlaTicketFacts>(tx, `select ${FACT_COLUMNS} from ticket where id = ?`, [ticketId]))!;

/**
 * What a batch of timers shares: the tickets' facts read with one statement (an action that
 * changes a ticket drops its entry, so the next action reads it again), and the notices to
 * write with one statement at the end.
 */
export class SlaActionBatch {
  readonly notices: Notice[] = [];
  private constructor(private readonly facts: Map<string, SlaTicketFacts>) {}

  static async load(tx: EntityManager, ticketIds: string[]): Promise<SlaActionBatch> {
    const rows = await query<SlaTicketFacts>(
      tx,
      `select ${FACT_COLUMNS} from ticket where id = any(?::bigint[])`,
      [ticketIds],
    );
    return new SlaActionBatch(new Map(rows.map((r) => [String(r.id), r])));
  }

  factsOf(ticketId: string | number): SlaTicketFacts | undefined {
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

/** The CC lists of the ticket's open workflow tasks and the ticket's own CC list, as people. */
export async function ccOfOpenTasks(
  tx: EntityManager,
  ticket: { id: string | number; requester_id: number | null; assignee_id: number | null },
): Promise<NotificationRecipients> {
  const tasks = await query<{ cc: Recipient[]; cc_user_ids: number[] | null }>(
    tx,
    `(select w.cc, null::int[] as cc_user_ids from workflow_task w
       where w.ticket_id = ? and w.status = 'open' order by w.created_at)
     union all (select null, t.cc_user_ids from ticket t where t.id = ?)`,
    [ticket.id, ticket.id],
  );
  const users = new Set<number>();
  const customers = new Set<number>();
  for (const task of tasks) {
    if (task.cc_user_ids) {
      for (const id of task.cc_user_ids) users.add(id);
      continue;
    }
    const people = await resolveRecipients(tx, task.cc ?? [], ticket);
    for (const id of people.userIds) users.add(id);
    for (const id of people.customerIds) customers.add(id);
  }
  return { userIds: [...users], customerIds: [...customers] };
}

async function recipientsOf(
  tx: EntityManager,
  ticket: SlaTicketFacts,
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
  { tx, ticket, firing, moment, notifier, defer }: SlaActionContext,
  action: SlaNotifyAction,
): Promise<SlaActionResult> {
  const to = await recipientsOf(tx, ticket, action.recipients);
  const subject = `SLA ${moment}: ${ticket.number}`;
  const body =
    action.message ??
    `Ticket ${ticket.number} "${ticket.title}": ${metricLabel(firing.metric).toLowerCase()} ${
      firing.action.offsetMinutes < 0 ? 'is due' : 'was due'
    } at ${firing.dueAt ?? firing.fireAt}.`;
  const targets = (action.targets ?? []).filter((t) => notifier.knows(t));
  const unknown = (action.targets ?? []).filter((t) => !notifier.knows(t));
  const notice: Notice = {
    key: `sla:${ticket.id}:${firing.key}`,
    ticketId: ticket.id,
    subject,
    body,
    to,
    targets,
  };
  if (defer) defer(notice);
  else await notifier.send(tx, [notice]);
  const count = recipientsOfNotice(notice).length;
  const outside =
    (targets.length ? ` Also sent through ${targets.join(', ')}.` : '') +
    (unknown.length
      ? ` Not sent through ${unknown.join(', ')}: no such notification target is installed; only in-app notices went out there.`
      : '');
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
  { tx, ticket, moment, tickets }: SlaActionContext,
  levels: number,
): Promise<SlaActionResult> {
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
  await changeBySla(tickets, tx, ticket.id, {
    fields: { orgUnitId: target },
    participants: ticket.assignee_id === null ? [] : [ticket.assignee_id],
  });
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
  { tx, ticket, moment, tickets }: SlaActionContext,
  to: Priority | undefined,
): Promise<SlaActionResult> {
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
  await changeBySla(tickets, tx, ticket.id, { fields: { priority: next } });
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
  { tx, ticket, moment, tickets }: SlaActionContext,
  action: Extract<SlaAction, { kind: 'reassign' }>,
): Promise<SlaActionResult> {
  try {
    const a = await resolveAssignee(tx, action.to);
    await changeBySla(tickets, tx, ticket.id, {
      fields: {
        assigneeId: a.userId,
        ...(a.teamId !== null ? { teamId: a.teamId } : {}),
        ...(a.orgUnitId !== null ? { orgUnitId: a.orgUnitId } : {}),
      },
      participants: a.userId === null ? [] : [a.userId],
    });
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

/** A change an SLA action makes: its own `sla.action` entry records it, so the store writes none. */
const changeBySla = (
  tickets: TicketStore,
  tx: EntityManager,
  ticketId: string | number,
  change: { fields: Record<string, unknown>; participants?: number[] },
) => tickets.change(tx, ticketId, { ...change, entry: null, actor: SYSTEM_ACTOR, origin: 'sla' });

/** Registers the core SLA actions. */
export function registerCoreSlaActions(registry: SlaActionRegistry): void {
  registry.register(
    'notify',
    { title: 'Notify', isReadOnly: true, run: (ctx, a) => runNotify(ctx, a as SlaNotifyAction) },
    'core',
  );
  registry.register(
    'escalate',
    {
      title: 'Escalate one org level up',
      run: (ctx, a) => runEscalate(ctx, (a as Extract<SlaAction, { kind: 'escalate' }>).levels ?? 1),
    },
    'core',
  );
  registry.register(
    'raise_priority',
    {
      title: 'Raise the priority',
      run: (ctx, a) => runRaisePriority(ctx, (a as Extract<SlaAction, { kind: 'raise_priority' }>).to),
    },
    'core',
  );
  registry.register(
    'reassign',
    { title: 'Reassign', run: (ctx, a) => runReassign(ctx, a as Extract<SlaAction, { kind: 'reassign' }>) },
    'core',
  );
}

/** Runs one fired action on the (locked) ticket; within a batch, its notices wait for the batch. */
export async function runSlaAction(
  deps: { tx: EntityManager; tickets: TicketStore; notifier: Notifier; actions: SlaActionRegistry },
  ticketId: string | number,
  firing: SlaFiring,
  batch?: SlaActionBatch,
): Promise<SlaActionResult> {
  const ticket = batch?.factsOf(ticketId) ?? (await loadTicket(deps.tx, ticketId));
  const action = firing.action;
  const key = slaActionKey(action);
  const kind = deps.actions.get(key);
  const moment = momentText(firing);
  if (!kind)
    return {
      audit: {
        kind: 'sla.action',
        body: `The SLA action "${key}" ${moment} did not run: no such action is installed${action.kind === 'plugin' ? ` (is the plugin "${action.plugin}" installed and enabled?)` : ''}.`,
        diff: {},
      },
    };
  // An action that may change the ticket makes a later action read it again.
  if (!kind.isReadOnly) batch?.forget(ticketId);
  return kind.run(
    {
      tx: deps.tx,
      ticket,
      firing,
      moment,
      tickets: deps.tickets,
      notifier: deps.notifier,
      ...(batch ? { defer: (notice: Notice) => batch.notices.push(notice) } : {}),
    },
    action,
  );
}
