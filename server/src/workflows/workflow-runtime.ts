import { randomUUID } from 'node:crypto';
import {
  type BusinessCalendar,
  TICKET_IDENTITY_FIELDS,
  ticketFactsOf,
  workflowContextOf,
} from '@docket/core';
import { type EntityManager, type JobBus, type JobSpec, queryOne } from '@docket/db';
import {
  type Clock,
  createInterpreter,
  durationMs,
  type Effect,
  type Interpreter,
  type StepOutcome,
  type WorkflowEvent,
} from '@docket/engine';
import { NotFoundError } from '../errors.ts';
import type { Notice, Notifier } from '../notifications/notifier.ts';
import type { ResolvedAssignee } from '../org/assignees.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { keepStoredStatusName } from '../tickets/ticket-statuses.ts';
import {
  type Actor,
  type AuditEntry,
  type CreationPlan,
  SYSTEM_ACTOR,
  type TicketFields,
  type TicketStore,
} from '../tickets/ticket-store.ts';
import type { EffectContext, EffectHandlerRegistry, TicketDraftChange } from './effects/effect-handler.ts';
import type { NodeTypeCatalog } from './node-type-catalog.ts';
import {
  findPublishedVersion,
  insertInstance,
  lockInstance,
  readRunnable,
  saveInstanceState,
} from './workflow-repository.ts';
import type { Cause, InstanceRow, PinnedTemplate, StartShape, WorkflowStartPlan } from './workflow-types.ts';

/** Where a workflow's time comes from: now, the stored business calendars (by key), the fallback. */
export type WorkflowTime = {
  now: () => number;
  calendars: (em: EntityManager) => Promise<ReadonlyMap<string, BusinessCalendar>>;
  /** Business time when no calendar is stored: weekdays 09:00-12:00 and 13:00-18:00. */
  officeHours: BusinessCalendar;
};

/** The actor a workflow's changes are recorded under: whoever caused the event, or Docket. */
export const actorOfCause = (cause: Cause): Actor =>
  cause.userId === null
    ? { ...SYSTEM_ACTOR, channel: cause.channel }
    : { kind: 'user', id: cause.userId, viaTokenId: null, channel: cause.channel };

/**
 * Runs workflow instances durably. The interpreter is pure; this class loads an instance under a
 * row lock, hands it one event, and in the same transaction stores the new state and applies
 * every effect through the handler registered for its kind (tasks, notices, outbound calls,
 * timers, ticket fields), the ticket's changes going through the ticket store. A crash before
 * commit leaves nothing; after commit, the jobs carry on. Handling the same event again finds it
 * no longer applies.
 */
export class WorkflowRuntime {
  private readonly interpreters = new Map<string, Interpreter>();
  private readonly shapes = new Map<string, StartShape>();

  constructor(
    private readonly deps: {
      jobs: JobBus;
      time: WorkflowTime;
      nodeTypes: NodeTypeCatalog;
      effects: EffectHandlerRegistry;
      tickets: TicketStore;
      notifier: Notifier;
    },
  ) {
    deps.effects.register(
      'start_sub_workflow',
      {
        apply: (ctx, e) =>
          this.startChild(
            ctx.tx,
            ctx.instance,
            e as Extract<Effect, { type: 'start_sub_workflow' }>,
            ctx.cause,
          ),
      },
      'core',
    );
  }

  /**
   * The clock a workflow event runs at: now, and business time in the calendar a node names, else
   * the first stored business calendar, else the built-in office hours.
   */
  async clockFor(em: EntityManager): Promise<Clock> {
    const calendars = await this.deps.time.calendars(em);
    const fallback = calendars.values().next().value ?? this.deps.time.officeHours;
    return {
      now: this.deps.time.now,
      addBusinessTime: (from, duration, calendarId) =>
        ((calendarId && calendars.get(calendarId)) || fallback).addMs(from, durationMs(duration)),
    };
  }

  /** The interpreter of a published version, typed by the template version's form; built once per version and node-type catalog. */
  async interpreterFor(
    em: EntityManager,
    workflowVersionId: number,
    templateVersionId: number | null,
  ): Promise<Interpreter> {
    const { nodeTypes } = this.deps;
    const key = `${workflowVersionId}:${templateVersionId ?? ''}:${nodeTypes.version}`;
    const hit = this.interpreters.get(key);
    if (hit) return hit;
    const runnable = await readRunnable(em, workflowVersionId, templateVersionId);
    if (!runnable) throw new NotFoundError(`Workflow version ${workflowVersionId}`, '/workflowVersionId');
    const interpreter = createInterpreter(runnable.graph, {
      context: workflowContextOf(runnable.content, nodeTypes.definitions),
      executors: nodeTypes.executors,
    });
    this.interpreters.set(key, interpreter);
    return interpreter;
  }

  /**
   * Runs a new ticket's workflow to its first wait, in memory: the instance it would store and the
   * effects of its first steps. Nothing is written. `ticket` may be a draft not yet inserted.
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
        ticket: ticketFactsOf(ticket, {
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
      isSelfContained: outcome.effects.every((e) => this.deps.effects.get(e.type)?.fold !== undefined),
    };
  }

  /**
   * What creating a ticket needs to know of a workflow version, worked out once per version:
   * whether every node runs to its end at once and changes only its own ticket (its executor says
   * so), so a new ticket's run can be written with the ticket itself; and whether its expressions
   * read what the database gives a ticket as it is written (ticket.id, ticket.number,
   * ticket.createdAt).
   */
  async startShape(
    em: EntityManager,
    workflowVersionId: number,
    templateVersionId: number,
  ): Promise<StartShape> {
    const key = `${workflowVersionId}:${templateVersionId}:${this.deps.nodeTypes.version}`;
    const hit = this.shapes.get(key);
    if (hit) return hit;
    const { graph } = await this.interpreterFor(em, workflowVersionId, templateVersionId);
    // Every mention of `ticket` must be a plain read of another field (ticket.priority); anything
    // else (ticket.id, ticket.?number, ticket["id"], the whole ticket) counts as reading them.
    const mentions = JSON.stringify(graph.nodes.map((n) => n.config)).matchAll(
      /\bticket\b(\s*\.\s*([A-Za-z_]\w*))?/g,
    );
    const executors = this.deps.nodeTypes.executors;
    const shape: StartShape = {
      isSelfContained: graph.nodes.every((n) => executors.get(n.type)?.isSelfContained === true),
      readsTicketIdentity: [...mentions].some((m) => m[2] === undefined || TICKET_IDENTITY_FIELDS.has(m[2])),
    };
    this.shapes.set(key, shape);
    return shape;
  }

  /**
   * The workflows' part of a new ticket (a creation planner of the ticket store). A run that only
   * changes its own ticket (start, conditions, set fields, end) runs to its end before the ticket
   * is written, on the plan's draft: its changes, trail and completed instance are written with
   * the ticket. When the run reads the ticket's id, number or creation time, those are drawn first.
   * Anything else (human steps, timers, calls) starts after the insert, in the same transaction.
   */
  async planCreation(em: EntityManager, plan: CreationPlan): Promise<void> {
    const template = plan.input.template;
    const workflowVersionId = template.workflowVersionId;
    if (workflowVersionId === null) return;
    const pinned: PinnedTemplate = {
      templateVersionId: template.versionId,
      templateKey: template.key,
      content: template.content,
    };
    const cause: Cause = { userId: plan.input.creatorUserId, channel: plan.input.actor.channel };
    const startAfterInsert = (ready?: WorkflowStartPlan) =>
      plan.afterInsert.push({
        run: async (tx, row) => {
          await this.startForTicket(
            tx,
            row,
            ready ?? (await this.planStart(tx, row, workflowVersionId, pinned)),
            cause,
          );
          return true;
        },
      });
    // Something changes the ticket right after it is written (SLA actions due at once): the run
    // starts after that, on the ticket as it then is.
    const shape = await this.startShape(em, workflowVersionId, template.versionId);
    if (plan.changesAfterInsert || !shape.isSelfContained) return void startAfterInsert();
    if (shape.readsTicketIdentity) await plan.drawIdentity();
    const start = await this.planStart(em, plan.draft, workflowVersionId, pinned);
    if (!start.isSelfContained) return void startAfterInsert(plan.drawn ? start : undefined);
    const change = this.fold(start.effects);
    await keepStoredStatusName(em, change.fields);
    // Whoever caused the run takes part in the ticket, as with every workflow event that does something.
    if (start.effects.length > 0 && cause.userId !== null) plan.participants.add(cause.userId);
    plan.change({
      fields: change.fields,
      custom: change.custom,
      entries: change.entries,
      actor: actorOfCause(cause),
    });
    plan.workflowInstance = start.instance;
  }

  /** Folds effects that change only the ticket (each handler's fold) into one change. */
  private fold(effects: Effect[]): TicketDraftChange & { entries: AuditEntry[] } {
    const entries: AuditEntry[] = [];
    const change = {
      fields: {} as TicketFields,
      custom: {},
      entries,
      audit: (e: AuditEntry) => void entries.push(e),
    };
    for (const e of effects) this.deps.effects.get(e.type)?.fold?.(e, change);
    return change;
  }

  /** Stores a planned instance and applies its effects, inside the transaction that creates the ticket. */
  async startForTicket(
    tx: EntityManager,
    ticket: TicketRow,
    plan: WorkflowStartPlan,
    cause: Cause,
  ): Promise<InstanceRow> {
    await insertInstance(tx, plan.instance);
    await this.perform(tx, plan.instance, plan.effects, cause, ticket);
    return plan.instance;
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
    const row = await lockInstance(tx, instanceId);
    if (!row) throw new NotFoundError(`Workflow instance ${instanceId}`, '/instanceId');
    const interpreter = await this.interpreterFor(tx, row.workflow_version_id, row.template_version_id);
    const outcome = interpreter.handle(row.state, event, await this.clockFor(tx));
    if (outcome.outcome !== 'applied') return outcome;
    const next = { ...row, state: outcome.state, status: outcome.state.status, seq: outcome.state.seq };
    await saveInstanceState(tx, next);
    await this.perform(tx, next, outcome.effects, cause, null);
    return outcome;
  }

  /**
   * Applies one event's effects inside its transaction, each through its kind's handler; then
   * writes what they gathered: the ticket's change with its audit entries (through the ticket
   * store, whose listeners hear it), the notices, and the jobs.
   */
  private async perform(
    tx: EntityManager,
    instance: InstanceRow,
    effects: Effect[],
    cause: Cause,
    knownTicket: TicketRow | null,
  ): Promise<void> {
    if (effects.length === 0) return;
    const ticketId = instance.ticket_id;
    const entries: AuditEntry[] = [];
    const notices: Notice[] = [];
    const jobs: JobSpec[] = [];
    const fields: TicketFields = {};
    const custom: Record<string, unknown> = {};
    const participants = new Set<number>(cause.userId === null ? [] : [cause.userId]);
    let ticket: { requester_id: number | null; assignee_id: number | null } | null = knownTicket;
    const ctx: EffectContext = {
      tx,
      instance,
      cause,
      ticketId,
      fields,
      custom,
      audit: (e) => void entries.push(e),
      ticket: async () => {
        if (!ticket && ticketId)
          ticket =
            (await queryOne<{ requester_id: number | null; assignee_id: number | null }>(
              tx,
              'select requester_id, assignee_id from ticket where id = ?',
              [ticketId],
            )) ?? null;
        return ticket;
      },
      route: (assignee: ResolvedAssignee) => {
        if (!ticketId) return;
        fields.assigneeId = assignee.userId;
        if (assignee.userId !== null) participants.add(assignee.userId);
        if (assignee.teamId !== null) fields.teamId = assignee.teamId;
        if (assignee.orgUnitId !== null) fields.orgUnitId = assignee.orgUnitId;
        if (ticket) ticket = { ...ticket, assignee_id: assignee.userId };
      },
      notify: (n) => void notices.push(n),
      enqueue: (j) => void jobs.push(j),
      now: this.deps.time.now,
    };
    for (const e of effects) {
      const handler = this.deps.effects.get(e.type);
      if (handler) await handler.apply(ctx, e);
      else
        entries.push({
          kind: 'workflow.failed',
          body: `Nothing can apply the effect "${e.type}" (is the plugin that adds it installed and enabled?).`,
        });
    }
    await keepStoredStatusName(tx, fields);
    if (ticketId)
      await this.deps.tickets.change(tx, ticketId, {
        fields,
        custom,
        participants: [...participants],
        entries,
        actor: actorOfCause(cause),
        origin: 'workflow',
      });
    await this.deps.notifier.send(tx, notices);
    await this.deps.jobs.sendInTransaction(tx, jobs);
  }

  private async startChild(
    tx: EntityManager,
    parent: InstanceRow,
    e: Extract<Effect, { type: 'start_sub_workflow' }>,
    cause: Cause,
  ): Promise<void> {
    const wv = await findPublishedVersion(tx, e.workflowId, e.version);
    if (!wv) {
      // Unreachable once published (validation checks it), but a workflow can be archived later.
      if (parent.ticket_id)
        await this.deps.tickets.append(tx, [
          {
            ticketId: parent.ticket_id,
            kind: 'workflow.failed',
            body: `Sub-workflow "${e.workflowId}" has no published version.`,
            actor: actorOfCause(cause),
          },
        ]);
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
    await insertInstance(tx, child);
    await this.perform(tx, child, outcome.effects, cause, null);
  }
}
