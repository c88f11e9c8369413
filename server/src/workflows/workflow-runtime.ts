import { randomUUID } from 'node:crypto';
import {
  type BusinessCalendar,
  type CelSchema,
  type Channel,
  celTypeFromJsonSchema,
  isPriority,
  isStatusCategory,
  type Recipient,
  type TemplateContent,
  type WorkflowContext,
  type WorkflowGraph,
} from '@docket/core';
import { type EntityManager, type JobBus, type JobSpec, query, queryOne } from '@docket/db';
import {
  type Clock,
  createInterpreter,
  durationMs,
  type Effect,
  type InstanceState,
  type Interpreter,
  type StepOutcome,
  type WorkflowEvent,
} from '@docket/engine';
import { NotFoundError } from '../errors.ts';
import { notify } from '../notifications/notify.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { keepStoredStatusName } from '../tickets/ticket-statuses.ts';
import { AssigneeError, type ResolvedAssignee, resolveAssignee, resolveRecipients } from './assignees.ts';

export const TIMER_QUEUE = 'workflow-timer';
export const OUTBOUND_QUEUE = 'workflow-outbound';
export const EVENT_QUEUE = 'workflow-event';
export const WORKFLOW_QUEUES = [TIMER_QUEUE, OUTBOUND_QUEUE, EVENT_QUEUE];

/** The ticket fields a workflow's CEL expressions see as `ticket.<field>`. */
export const TICKET_CEL_SCHEMA: CelSchema = {
  id: 'int',
  number: 'string',
  title: 'string',
  description: 'string',
  status: 'string',
  priority: 'string',
  channel: 'string',
  template: 'string',
  category: 'string',
  categoryPath: 'list<string>',
  orgUnitId: 'int',
  teamId: 'int',
  assigneeId: 'int',
  requesterId: 'int',
  createdAt: 'timestamp',
};

export type InstanceRow = {
  id: string;
  ticket_id: string | null;
  parent_instance_id: string | null;
  parent_reply: { name: string; key: string } | null;
  workflow_version_id: number;
  status: InstanceState['status'];
  state: InstanceState;
  seq: number;
};

/** A change a workflow made to a ticket's fields, as {field: {from, to}}. */
export type TicketPatchListener = (
  tx: EntityManager,
  ticketId: string,
  diff: Record<string, { from: unknown; to: unknown }>,
) => Promise<void>;

/** Who caused a change: a staff member through a channel, or Docket itself. */
export type Cause = { userId: number | null; channel: Channel };
export const SYSTEM_CAUSE: Cause = { userId: null, channel: 'system' };

/** A new ticket's workflow run to its first wait, planned in memory (see WorkflowRuntime.planStart). */
export type WorkflowStartPlan = {
  instance: InstanceRow;
  effects: Effect[];
  /** Every effect changes only the ticket's own row and audit trail (foldTicketEffect): no tasks, notices, jobs or lookups. */
  isSelfContained: boolean;
};

const SELF_CONTAINED_NODES: ReadonlySet<string> = new Set([
  'start',
  'condition',
  'parallel_split',
  'parallel_join',
  'set_fields',
  'end',
]);
/** See WorkflowRuntime.startShape. */
export type StartShape = { isSelfContained: boolean; readsTicketIdentity: boolean };

/** What the database gives a ticket as it is written. */
const IDENTITY_FIELDS: ReadonlySet<string> = new Set(['id', 'number', 'createdAt']);

const SELF_CONTAINED_EFFECTS: ReadonlySet<Effect['type']> = new Set([
  'set_ticket_fields',
  'end_instance',
  'instance_failed',
  'cancel_timer',
]);

/** An audit entry of a workflow event (its actor and channel are the event's cause). */
export type WorkflowAuditRow = { kind: string; diff: unknown; body: string | null; is_public: boolean };

/**
 * The effects that change only the ticket's own row, folded into a patch of its columns, its
 * custom fields and audit entries: the one place their meaning is defined, for a stored run
 * (perform) and for a new ticket's run written with the ticket itself.
 */
export function foldTicketEffect(
  e: Effect,
  into: {
    patch: Record<string, unknown>;
    custom: Record<string, unknown>;
    audit: { add(kind: string, diff: unknown, body: string | null, isPublic?: boolean): unknown };
  },
): void {
  switch (e.type) {
    case 'set_ticket_fields':
      for (const [field, value] of Object.entries(e.fields)) {
        const col = TICKET_FIELD_COLUMNS[field];
        if (col?.check(value)) into.patch[col.column] = value;
        else if (col)
          into.audit.add(
            'workflow.field_refused',
            null,
            `"${field}" cannot be set to ${JSON.stringify(value)}.`,
            false,
          );
        else into.custom[field] = value;
      }
      break;
    case 'end_instance':
      into.patch.status = e.status;
      // The named status the end node gives (checked at publish), or the category alone.
      into.patch.status_name = e.statusName ?? null;
      into.audit.add(
        'workflow.ended',
        {
          status: { from: null, to: e.status },
          ...(e.statusName ? { statusName: { from: null, to: e.statusName } } : {}),
        },
        null,
      );
      break;
    case 'instance_failed':
      into.audit.add('workflow.failed', { step: { from: null, to: e.nodeId } }, e.error, false);
      break;
    default:
      break;
  }
}

/** What a patch changes against the values before it, as {field: {from, to}} (camelCase fields). */
export function patchDiff(
  before: Record<string, unknown> | undefined,
  patch: Record<string, unknown>,
  custom: Record<string, unknown>,
): Record<string, { from: unknown; to: unknown }> {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  const camel = (c: string) => c.replace(/_([a-z])/g, (_m, ch: string) => ch.toUpperCase());
  for (const c of Object.keys(patch))
    if (before?.[c] !== patch[c]) diff[camel(c)] = { from: before?.[c] ?? null, to: patch[c] };
  const oldCustom = (before?.custom_fields ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(custom))
    if (JSON.stringify(oldCustom[k]) !== JSON.stringify(v)) diff[k] = { from: oldCustom[k] ?? null, to: v };
  return diff;
}

/** Where a workflow's time comes from: now, the stored business calendars (by key), the fallback. */
export type WorkflowTime = {
  now: () => number;
  calendars: (em: EntityManager) => Promise<ReadonlyMap<string, BusinessCalendar>>;
  /** Business time when no calendar is stored: weekdays 09:00-12:00 and 13:00-18:00. */
  officeHours: BusinessCalendar;
};

export type PinnedTemplate = { templateVersionId: number; templateKey: string; content: TemplateContent };

/** The workflow context of a template version: typed ticket fields and its form, for CEL. */
export function workflowContextOf(content: Pick<TemplateContent, 'formSchema'> | null): WorkflowContext {
  const form = content ? celTypeFromJsonSchema(content.formSchema) : 'map<string, dyn>';
  return {
    ticket: TICKET_CEL_SCHEMA,
    ...(typeof form === 'object' ? { form } : {}),
  };
}

export function ticketFacts(t: TicketRow, pinned: { templateKey: string; categoryPath: string[] }) {
  return {
    id: Number(t.id),
    number: t.number,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    channel: t.channel,
    template: pinned.templateKey,
    category: pinned.categoryPath.join('/'),
    categoryPath: pinned.categoryPath,
    orgUnitId: t.org_unit_id ?? 0,
    teamId: t.team_id ?? 0,
    assigneeId: t.assignee_id ?? 0,
    requesterId: t.requester_id ?? 0,
    createdAt: new Date(t.created_at).toISOString(),
  };
}

/** Columns a set-fields node may write directly; other fields go to the ticket's custom fields. */
const TICKET_FIELD_COLUMNS: Record<string, { column: string; check: (v: unknown) => boolean }> = {
  title: { column: 'title', check: (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= 200 },
  description: { column: 'description', check: (v) => typeof v === 'string' },
  priority: { column: 'priority', check: isPriority },
  status: { column: 'status', check: isStatusCategory },
};

/**
 * Runs workflow instances durably. The interpreter is pure; this class loads an instance under a
 * row lock, hands it one event, and in the same transaction stores the new state and performs
 * every effect that touches the database (tasks, ticket fields, audit events, notifications) and
 * enqueues the jobs for the rest (timers, outbound calls). A crash before commit leaves nothing;
 * after commit, the jobs carry on. Handling the same event again finds it no longer applies.
 */
export class WorkflowRuntime {
  private readonly interpreters = new Map<string, Interpreter>();
  private readonly shapes = new Map<string, StartShape>();

  constructor(
    private readonly jobs: JobBus,
    private readonly time: WorkflowTime,
    /** Told of every ticket change a workflow makes, in its transaction (the SLA clocks listen). */
    private readonly onTicketPatched: TicketPatchListener = async () => {},
  ) {}

  /**
   * The clock a workflow event runs at: now, and business time in the calendar a node names, else
   * the first stored business calendar, else the built-in office hours.
   */
  async clockFor(em: EntityManager): Promise<Clock> {
    const calendars = await this.time.calendars(em);
    const fallback = calendars.values().next().value ?? this.time.officeHours;
    return {
      now: this.time.now,
      addBusinessTime: (from, duration, calendarId) =>
        ((calendarId && calendars.get(calendarId)) || fallback).addMs(from, durationMs(duration)),
    };
  }

  async interpreterFor(
    tx: EntityManager,
    workflowVersionId: number,
    templateVersionId: number | null,
  ): Promise<Interpreter> {
    const key = `${workflowVersionId}:${templateVersionId ?? ''}`;
    const hit = this.interpreters.get(key);
    if (hit) return hit;
    const wv = await queryOne<{ graph: WorkflowGraph }>(
      tx,
      'select graph from workflow_version where id = ?',
      [workflowVersionId],
    );
    if (!wv) throw new NotFoundError(`Workflow version ${workflowVersionId}`, '/workflowVersionId');
    const tv = templateVersionId
      ? await queryOne<{ content: TemplateContent }>(
          tx,
          'select content from ticket_template_version where id = ?',
          [templateVersionId],
        )
      : undefined;
    const interpreter = createInterpreter(wv.graph, { context: workflowContextOf(tv?.content ?? null) });
    this.interpreters.set(key, interpreter);
    return interpreter;
  }

  /**
   * Runs a new ticket's workflow to its first wait, in memory: the instance it would store and the
   * effects of its first steps. Nothing is written. `ticket` may be a draft not yet inserted (its
   * id, number and creation time already drawn).
   */
  async planStart(
    em: EntityManager,
    ticket: TicketRow,
    workflowVersionId: number,
    pinned: PinnedTemplate,
  ): Promise<WorkflowStartPlan> {
    const interpreter = await this.interpreterFor(em, workflowVersionId, pinned.templateVersionId);
    const id = randomUUID();
    const outcome = interpreter.start(
      {
        instanceId: id,
        ticket: ticketFacts(ticket, {
          templateKey: pinned.templateKey,
          categoryPath: pinned.content.categoryPath,
        }),
        form: ticket.form_data,
      },
      await this.clockFor(em),
    );
    return {
      instance: {
        id,
        ticket_id: String(ticket.id),
        parent_instance_id: null,
        parent_reply: null,
        workflow_version_id: workflowVersionId,
        status: outcome.state.status,
        state: outcome.state,
        seq: outcome.state.seq,
      },
      effects: outcome.effects,
      isSelfContained: outcome.effects.every((e) => SELF_CONTAINED_EFFECTS.has(e.type)),
    };
  }

  /**
   * What creating a ticket needs to know of a workflow version, worked out once per version:
   * whether it only ever touches its ticket's own row (start, conditions, set fields, parallel
   * paths, end), so a new ticket's run can be written with the ticket itself; and whether its
   * expressions read what the database gives a ticket as it is written (ticket.id, ticket.number,
   * ticket.createdAt). A run that reads none of them can start before they exist, and the
   * statement writing the ticket fills them into the instance's state.
   */
  async startShape(
    em: EntityManager,
    workflowVersionId: number,
    templateVersionId: number,
  ): Promise<StartShape> {
    const key = `${workflowVersionId}:${templateVersionId}`;
    const hit = this.shapes.get(key);
    if (hit) return hit;
    const { graph } = await this.interpreterFor(em, workflowVersionId, templateVersionId);
    // Every mention of `ticket` must be a plain read of another field (ticket.priority); anything
    // else (ticket.id, ticket.?number, ticket["id"], the whole ticket) counts as reading them.
    const mentions = JSON.stringify(graph.nodes.map((n) => n.config)).matchAll(
      /\bticket\b(\s*\.\s*([A-Za-z_]\w*))?/g,
    );
    const shape: StartShape = {
      isSelfContained: graph.nodes.every((n) => SELF_CONTAINED_NODES.has(n.type)),
      readsTicketIdentity: [...mentions].some((m) => m[2] === undefined || IDENTITY_FIELDS.has(m[2])),
    };
    this.shapes.set(key, shape);
    return shape;
  }

  /** Stores a planned instance and performs its effects, inside the transaction that creates the ticket. */
  async startForTicket(
    tx: EntityManager,
    ticket: TicketRow,
    plan: WorkflowStartPlan,
    cause: Cause,
  ): Promise<InstanceRow> {
    const row = plan.instance;
    await query(
      tx,
      `insert into workflow_instance (id, ticket_id, workflow_version_id, status, state, seq)
       values (?, ?, ?, ?, ?::jsonb, ?)`,
      [row.id, ticket.id, row.workflow_version_id, row.status, JSON.stringify(row.state), row.seq],
    );
    await this.perform(tx, row, plan.effects, cause, ticket);
    return row;
  }

  /** Hands one event to an instance in a transaction of its own. */
  dispatch(em: EntityManager, instanceId: string, event: WorkflowEvent, cause: Cause): Promise<StepOutcome> {
    return em.transactional((tx) => this.dispatchIn(tx, instanceId, event, cause));
  }

  /** Hands one event to an instance inside the caller's transaction (row-locked until it ends). */
  async dispatchIn(
    tx: EntityManager,
    instanceId: string,
    event: WorkflowEvent,
    cause: Cause,
  ): Promise<StepOutcome> {
    const row = await queryOne<InstanceRow & { template_version_id: number | null }>(
      tx,
      `select i.id, i.ticket_id, i.parent_instance_id, i.parent_reply, i.workflow_version_id, i.status, i.state, i.seq,
              t.template_version_id
         from workflow_instance i left join ticket t on t.id = i.ticket_id
        where i.id = ? for update of i`,
      [instanceId],
    );
    if (!row) throw new NotFoundError(`Workflow instance ${instanceId}`, '/instanceId');
    const templateVersionId = row.template_version_id;
    const interpreter = await this.interpreterFor(tx, row.workflow_version_id, templateVersionId);
    const outcome = interpreter.handle(row.state, event, await this.clockFor(tx));
    if (outcome.outcome !== 'applied') return outcome;
    await query(
      tx,
      'update workflow_instance set state = ?::jsonb, status = ?, seq = ?, updated_at = now() where id = ?',
      [JSON.stringify(outcome.state), outcome.state.status, outcome.state.seq, row.id],
    );
    const next = { ...row, state: outcome.state, status: outcome.state.status, seq: outcome.state.seq };
    await this.perform(tx, next, outcome.effects, cause, null);
    return outcome;
  }

  /** Performs one event's effects inside its transaction. */
  private async perform(
    tx: EntityManager,
    instance: InstanceRow,
    effects: Effect[],
    cause: Cause,
    knownTicket: TicketRow | null,
  ): Promise<void> {
    if (effects.length === 0) return;
    const jobs: JobSpec[] = [];
    const ticketId = instance.ticket_id;
    const audit = new AuditBatch(ticketId, cause);
    const ticketPatch: Record<string, unknown> = {};
    const customPatch: Record<string, unknown> = {};
    let ticket: Pick<TicketRow, 'requester_id' | 'assignee_id'> | null = knownTicket;
    const ticketRow = async () => {
      if (!ticket && ticketId)
        ticket =
          (await queryOne<TicketRow>(tx, 'select requester_id, assignee_id from ticket where id = ?', [
            ticketId,
          ])) ?? null;
      return ticket;
    };
    const participants = new Set<number>(cause.userId === null ? [] : [cause.userId]);
    const route = async (assignee: ResolvedAssignee) => {
      if (!ticketId) return;
      // The ticket follows its open work: whoever must act on it can see it.
      ticketPatch.assignee_id = assignee.userId;
      if (assignee.userId !== null) participants.add(assignee.userId);
      if (assignee.teamId !== null) ticketPatch.team_id = assignee.teamId;
      if (assignee.orgUnitId !== null) ticketPatch.org_unit_id = assignee.orgUnitId;
      if (ticket) ticket = { ...ticket, assignee_id: assignee.userId };
    };

    for (const e of effects) {
      switch (e.type) {
        case 'create_task': {
          let assignee: ResolvedAssignee;
          try {
            assignee = await resolveAssignee(tx, e.assignee);
          } catch (err) {
            if (!(err instanceof AssigneeError)) throw err;
            assignee = { userId: null, teamId: null, roleId: null, orgUnitId: null };
            audit.add(
              'workflow.assignee_missing',
              { node: { from: null, to: e.nodeId } },
              err.message,
              false,
            );
          }
          await query(
            tx,
            `insert into workflow_task (id, instance_id, ticket_id, node_id, title, status, assignee_user_id, team_id,
                role_id, org_unit_id, cc, form_schema, ui_schema, actions, origin, due_at)
             values (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?)
             on conflict (id) do nothing`,
            [
              taskKey(instance.id, e.taskId),
              instance.id,
              ticketId,
              e.nodeId,
              e.title,
              assignee.userId,
              assignee.teamId,
              assignee.roleId,
              assignee.orgUnitId,
              JSON.stringify(e.cc),
              JSON.stringify(e.formSchema),
              e.uiSchema ? JSON.stringify(e.uiSchema) : null,
              e.actions,
              e.origin ? JSON.stringify(e.origin) : null,
              e.dueAt ?? null,
            ],
          );
          await route(assignee);
          const notified = await resolveRecipients(tx, e.cc, await ticketRow());
          if (assignee.userId !== null) notified.userIds.push(assignee.userId);
          await notify(tx, {
            key: `${e.stepKey}:task`,
            ticketId,
            channel: 'in_app',
            subject: e.title,
            body: e.origin
              ? `The step "${e.title}" came back (${e.origin.action}): ${e.origin.reason}`
              : `New step: ${e.title}`,
            to: notified,
          });
          audit.add(
            e.origin ? `task.${e.origin.action}ed_to` : 'task.created',
            {
              step: { from: e.origin?.fromNodeId ?? null, to: e.nodeId },
              assignee: { from: null, to: describe(assignee) },
              ...(e.dueAt ? { dueAt: { from: null, to: e.dueAt } } : {}),
            },
            e.origin ? e.origin.reason : e.title,
          );
          break;
        }
        case 'close_task':
          await query(
            tx,
            `update workflow_task set status = ?, closed_by = ?, close_reason = ?, closed_at = now(),
                output = case when ? = 'completed' then (?::jsonb) -> node_id else output end
              where id = ? and status = 'open'`,
            [
              e.outcome,
              cause.userId,
              e.reason ?? null,
              e.outcome,
              JSON.stringify(instance.state.steps),
              taskKey(instance.id, e.taskId),
            ],
          );
          break;
        case 'transfer_task': {
          const assignee = await resolveAssignee(tx, e.assignee);
          await query(
            tx,
            `update workflow_task set assignee_user_id = ?, team_id = coalesce(?, team_id), role_id = ?, org_unit_id = ?
              where id = ? and status = 'open'`,
            [
              assignee.userId,
              assignee.teamId,
              assignee.roleId,
              assignee.orgUnitId,
              taskKey(instance.id, e.taskId),
            ],
          );
          await route(assignee);
          audit.add('task.transferred', { assignee: { from: null, to: describe(assignee) } }, e.reason);
          break;
        }
        case 'step_overdue': {
          const task = await queryOne<{ title: string; assignee_user_id: number | null; cc: Recipient[] }>(
            tx,
            'update workflow_task set is_overdue = true where id = ? returning title, assignee_user_id, cc',
            [taskKey(instance.id, e.taskId)],
          );
          audit.add('task.overdue', { step: { from: null, to: e.nodeId } }, null, false);
          if (!task) break;
          // The handler, the handler's manager and the CC list hear that the step is late.
          const to = await resolveRecipients(tx, task.cc, await ticketRow());
          if (task.assignee_user_id !== null) {
            to.userIds.push(task.assignee_user_id);
            const manager = await queryOne<{ manager_id: number | null }>(
              tx,
              'select manager_id from app_user where id = ?',
              [task.assignee_user_id],
            );
            if (manager?.manager_id) to.userIds.push(manager.manager_id);
          }
          await notify(tx, {
            key: `${e.stepKey}:overdue`,
            ticketId,
            channel: 'in_app',
            subject: `Overdue: ${task.title}`,
            body: `The step "${task.title}" passed its time limit.`,
            to,
          });
          break;
        }
        case 'schedule_timer':
          jobs.push({
            queue: TIMER_QUEUE,
            key: `timer:${instance.id}:${e.timerId}:${e.version}`,
            startAfter: new Date(e.dueAt),
            data: { instanceId: instance.id, timerId: e.timerId, version: e.version },
          });
          break;
        case 'cancel_timer':
          // A timer job that fires after its timer changed is ignored by the interpreter.
          break;
        case 'notify':
          await notify(tx, {
            key: e.idempotencyKey,
            ticketId,
            channel: e.channel,
            subject: e.subject ?? null,
            body: e.body,
            to: await resolveRecipients(tx, e.recipients, await ticketRow()),
          });
          break;
        case 'http_request': {
          const callId = `${e.idempotencyKey}#${e.attempt}`;
          await query(
            tx,
            `insert into outbound_call (id, idempotency_key, instance_id, request, reply)
             values (?, ?, ?, ?::jsonb, ?::jsonb) on conflict (id) do nothing`,
            [
              callId,
              e.idempotencyKey,
              instance.id,
              JSON.stringify({
                method: e.method,
                url: e.url,
                headers: e.headers,
                body: e.body,
                timeoutMs: e.timeoutMs,
              }),
              JSON.stringify(e.reply),
            ],
          );
          jobs.push({
            queue: OUTBOUND_QUEUE,
            key: `call:${callId}`,
            // A failed attempt waits a little longer each time before the next.
            ...(e.attempt > 1 ? { startAfter: new Date(this.time.now() + 1000 * 2 ** (e.attempt - 2)) } : {}),
            data: { callId },
            // Taken for dead (and handed out again) only well after the call's own timeout.
            expireInSeconds: Math.ceil(e.timeoutMs / 1000) + 30,
          });
          break;
        }
        case 'start_sub_workflow':
          await this.startChild(tx, instance, e, cause);
          break;
        case 'set_ticket_fields':
        case 'instance_failed':
          foldTicketEffect(e, { patch: ticketPatch, custom: customPatch, audit });
          break;
        case 'assign_ticket':
          try {
            await route(await resolveAssignee(tx, e.assignee));
          } catch (err) {
            if (!(err instanceof AssigneeError)) throw err;
            audit.add('workflow.assignee_missing', null, err.message, false);
          }
          break;
        case 'end_instance':
          if (instance.parent_instance_id && instance.parent_reply) {
            jobs.push({
              queue: EVENT_QUEUE,
              key: `event:${instance.parent_instance_id}:${instance.parent_reply.key}`,
              data: {
                instanceId: instance.parent_instance_id,
                event: {
                  type: 'outside_event',
                  name: instance.parent_reply.name,
                  key: instance.parent_reply.key,
                  payload: { status: e.status, output: instance.state.steps },
                },
              },
            });
          } else if (!instance.parent_instance_id)
            foldTicketEffect(e, { patch: ticketPatch, custom: customPatch, audit });
          break;
      }
    }

    await keepStoredStatusName(tx, ticketPatch);
    if (
      ticketId &&
      (Object.keys(ticketPatch).length > 0 || Object.keys(customPatch).length > 0 || participants.size)
    ) {
      const diff = await applyTicketPatch(tx, ticketId, ticketPatch, customPatch, [...participants]);
      if (Object.keys(diff).length > 0) {
        audit.add('updated', diff, null);
        // The workflow's entries first, then the clock changes they cause.
        await audit.write(tx);
        await this.onTicketPatched(tx, ticketId, diff);
      }
    }
    await audit.write(tx);
    await this.jobs.sendInTransaction(tx, jobs);
  }

  private async startChild(
    tx: EntityManager,
    parent: InstanceRow,
    e: Extract<Effect, { type: 'start_sub_workflow' }>,
    cause: Cause,
  ): Promise<void> {
    const ref = e.workflowId;
    const wv = await queryOne<{ id: number }>(
      tx,
      `select v.id from workflow w join workflow_version v on v.workflow_id = w.id
        where ${/^[0-9]+$/.test(ref) ? 'w.id = ?::int' : 'w.key = ?'} and v.version = coalesce(?::int, w.latest_version)`,
      [ref, e.version ?? null],
    );
    if (!wv) {
      // Unreachable once published (validation checks it), but a workflow can be archived later.
      await new AuditBatch(parent.ticket_id, cause)
        .add('workflow.failed', null, `Sub-workflow "${ref}" has no published version.`, false)
        .write(tx);
      return;
    }
    const interpreter = await this.interpreterFor(tx, wv.id, null);
    const id = randomUUID();
    const outcome = interpreter.start(
      { instanceId: id, ticket: parent.state.ticket, form: e.input },
      await this.clockFor(tx),
    );
    const child: InstanceRow = {
      id,
      ticket_id: parent.ticket_id,
      parent_instance_id: parent.id,
      parent_reply: e.reply ?? null,
      workflow_version_id: wv.id,
      status: outcome.state.status,
      state: outcome.state,
      seq: outcome.state.seq,
    };
    await query(
      tx,
      `insert into workflow_instance (id, ticket_id, parent_instance_id, parent_reply, workflow_version_id, status, state, seq)
       values (?, ?, ?, ?::jsonb, ?, ?, ?::jsonb, ?) on conflict (id) do nothing`,
      [
        id,
        parent.ticket_id,
        parent.id,
        e.reply ? JSON.stringify(e.reply) : null,
        wv.id,
        child.status,
        JSON.stringify(child.state),
        child.seq,
      ],
    );
    await this.perform(tx, child, outcome.effects, cause, null);
  }
}

/** A task's row id: the engine's task id, which starts with its instance id and so is unique everywhere. */
export const taskKey = (instanceId: string, taskId: string): string =>
  taskId.startsWith(instanceId) ? taskId : `${instanceId}:${taskId}`;

/** The engine's id of a task from its row id (the inverse of taskKey). */
export const engineTaskId = (instanceId: string, rowId: string): string =>
  rowId.startsWith(`${instanceId}:`) ? rowId.slice(instanceId.length + 1) : rowId;

function describe(a: ResolvedAssignee): Record<string, number> {
  const out: Record<string, number> = {};
  if (a.userId !== null) out.userId = a.userId;
  if (a.teamId !== null) out.teamId = a.teamId;
  if (a.roleId !== null) out.roleId = a.roleId;
  if (a.orgUnitId !== null) out.orgUnitId = a.orgUnitId;
  return out;
}

/** Audit events of one workflow event, written with one statement. */
export class AuditBatch {
  readonly rows: WorkflowAuditRow[] = [];
  constructor(
    private readonly ticketId: string | null,
    private readonly cause: Cause,
  ) {}

  add(kind: string, diff: unknown, body: string | null, isPublic = false): this {
    this.rows.push({ kind, diff, body, is_public: isPublic });
    return this;
  }

  /** Writes the entries gathered so far (a later write adds those gathered after). */
  async write(tx: EntityManager): Promise<void> {
    if (!this.ticketId || this.rows.length === 0) return;
    await query(
      tx,
      `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, channel, is_public, body, diff)
       select ?, r.value->>'kind', ?, ?, ?, (r.value->>'is_public')::boolean, r.value->>'body',
              nullif(r.value->'diff', 'null'::jsonb)
         from jsonb_array_elements(?::jsonb) with ordinality as r(value, n)
        order by r.n`,
      [
        this.ticketId,
        this.cause.userId === null ? 'system' : 'user',
        this.cause.userId,
        this.cause.channel,
        JSON.stringify(this.rows),
      ],
    );
    this.rows.length = 0;
  }
}

/** Writes the ticket columns a workflow changed and returns what changed, as {field: {from, to}}. */
async function applyTicketPatch(
  tx: EntityManager,
  ticketId: string,
  patch: Record<string, unknown>,
  custom: Record<string, unknown>,
  participants: number[],
): Promise<Record<string, { from: unknown; to: unknown }>> {
  const cols = Object.keys(patch);
  const sets = cols.map((c) => `${c} = ?`);
  const params: unknown[] = cols.map((c) => patch[c]);
  if (patch.org_unit_id !== undefined) {
    sets.push(`org_path = coalesce((select path from org_unit where id = ?::int), '/')`);
    params.push(patch.org_unit_id);
  }
  if (patch.status === 'solved') sets.push('solved_at = coalesce(solved_at, now())');
  if (patch.status === 'closed') sets.push('closed_at = coalesce(closed_at, now())');
  if (participants.length) {
    sets.push('participant_ids = array(select distinct unnest(participant_ids || ?::int[]) order by 1)');
    params.push(participants);
  }
  if (Object.keys(custom).length) {
    sets.push('custom_fields = custom_fields || ?::jsonb');
    params.push(JSON.stringify(custom));
  }
  const before = await queryOne<Record<string, unknown>>(
    tx,
    `select ${[...cols, 'custom_fields'].join(', ')} from ticket where id = ? for update`,
    [ticketId],
  );
  await query(tx, `update ticket set ${sets.join(', ')}, updated_at = now() where id = ?`, [
    ...params,
    ticketId,
  ]);
  return patchDiff(before, patch, custom);
}
