import { randomUUID } from 'node:crypto';
import {
  type BusinessCalendar,
  TICKET_IDENTITY_FIELDS,
  ticketFactsOf,
  workflowContextOf,
} from '@docket/core';
import { type EntityManager, type JobBus, jobsPart, type TransactionGroup, writeTogether } from '@docket/db';
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
import { NOTIFICATION_ROWS, type Notifier } from '../notifications/notifier.ts';
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
import { type EffectContext, type EffectHandlerRegistry, emptyStepWrites } from './effects/effect-handler.ts';
import type { NodeTypeCatalog } from './node-type-catalog.ts';
import {
  CALL_ROWS,
  findPublishedVersion,
  insertInstance,
  lockInstance,
  readRunnable,
  readTicketPeople,
  registerCreationWriters,
  stepParts,
  TASK_ROWS,
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

/** An effect context with what it gathered for the ticket. */
type GatheringContext = EffectContext & {
  entries: AuditEntry[];
  participants: Set<number>;
  own: { entry?: AuditEntry };
};

/**
 * Runs workflow instances durably. The interpreter is pure; this class loads an instance under a
 * row lock, hands it one event, and in the same transaction stores the new state and applies
 * every effect through the handler registered for its kind. Handlers only gather: the task and
 * call rows, the ticket's change (through the ticket store), the notices and the jobs are written
 * once every effect is applied. A new ticket's first steps are planned the same way before the
 * ticket exists and written by the statement that writes it. A crash before commit leaves
 * nothing; after commit, the jobs carry on. Handling the same event again finds it no longer
 * applies.
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
      /** The database connections share one session: no named prepared statements. */
      isSharedSession: boolean;
      /** Concurrent step transactions, committed together. */
      steps: TransactionGroup;
    },
  ) {
    registerCreationWriters(deps.tickets);
    deps.effects.register(
      'start_sub_workflow',
      {
        needsStoredTicket: true,
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

  /** The database connections share one session (the embedded database): no named prepared statements. */
  get isSharedSession(): boolean {
    return this.deps.isSharedSession;
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
    };
  }

  /**
   * What creating a ticket needs to know of a workflow version, worked out once per version:
   * whether its expressions read what the database gives a ticket as it is written (ticket.id,
   * ticket.number, ticket.createdAt). A run that reads none of them is planned before they exist,
   * and the statement writing the ticket fills them into the instance's state.
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
    const shape: StartShape = {
      readsTicketIdentity: [...mentions].some((m) => m[2] === undefined || TICKET_IDENTITY_FIELDS.has(m[2])),
    };
    this.shapes.set(key, shape);
    return shape;
  }

  /**
   * The workflows' part of a new ticket (a creation planner of the ticket store): its run to the
   * first wait is planned on the plan's draft before the ticket exists, and everything the run
   * writes (its instance, the first tasks and their notices, timer and call jobs, the ticket's field
   * changes and trail) goes into the statement that writes the ticket. When the run reads the
   * ticket's id, number or creation time, those are drawn first. The run starts after the insert
   * instead when something changes the ticket right after it is written (SLA actions due at once),
   * or when one of its effects needs the ticket stored (a sub-workflow).
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
    if (plan.changesAfterInsert) return void startAfterInsert();
    const shape = await this.startShape(em, workflowVersionId, template.versionId);
    if (shape.readsTicketIdentity) await plan.drawIdentity();
    const start = await this.planStart(em, plan.draft, workflowVersionId, pinned);
    if (start.effects.some((e) => this.deps.effects.get(e.type)?.needsStoredTicket))
      return void startAfterInsert(plan.drawn ? start : undefined);
    const ctx = this.effectContext({
      tx: em,
      instance: start.instance,
      cause,
      ticketId: null,
      ticket: plan.draft,
    });
    await this.applyEffects(ctx, start.effects);
    await keepStoredStatusName(em, ctx.fields);
    for (const id of ctx.participants) plan.participants.add(id);
    plan.change({
      fields: ctx.fields,
      custom: ctx.custom,
      entries: ctx.own.entry ? [...ctx.entries, ctx.own.entry] : ctx.entries,
      actor: actorOfCause(cause),
    });
    plan.workflowInstance = start.instance;
    plan.addRows(TASK_ROWS, ctx.writes.tasks);
    plan.addRows(CALL_ROWS, ctx.writes.calls);
    const notices = this.deps.notifier.rowsOf(ctx.writes.notices);
    plan.addRows(NOTIFICATION_ROWS, notices.inbox);
    plan.jobs.push(...ctx.writes.jobs, ...notices.jobs);
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

  /**
   * Runs a step's work in a transaction that commits together with the step transactions of the
   * same moment (see TransactionGroup): the work must throw NothingWritten for a refusal it
   * decides before writing, and must check what it reads, since it may run again alone.
   */
  inStepTransaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.deps.steps.run(work);
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
    return (await this.dispatchLocked(tx, row, event, cause)).outcome;
  }

  /**
   * Hands one event to an instance the caller has locked (with its ticket's row when the caller
   * locked that too, which saves reading it again). `leadingEntries` go on the ticket's trail before
   * what the event sets off (the action that caused it). Returns the outcome and the tasks the event
   * closed or handed over, as they are now.
   */
  async dispatchLocked(
    tx: EntityManager,
    row: InstanceRow & { template_version_id: number | null },
    event: WorkflowEvent,
    cause: Cause,
    options: {
      ticket?: TicketRow & { custom_fields?: Record<string, unknown> };
      leadingEntries?: AuditEntry[];
    } = {},
  ): Promise<{ outcome: StepOutcome; touchedTasks: Record<string, unknown>[] }> {
    const interpreter = await this.interpreterFor(tx, row.workflow_version_id, row.template_version_id);
    const outcome = interpreter.handle(row.state, event, await this.clockFor(tx));
    if (outcome.outcome !== 'applied') return { outcome, touchedTasks: [] };
    const next = { ...row, state: outcome.state, status: outcome.state.status, seq: outcome.state.seq };
    const touchedTasks = await this.perform(tx, next, outcome.effects, cause, options.ticket ?? null, {
      isStateSaved: false,
      ...(options.leadingEntries ? { leadingEntries: options.leadingEntries } : {}),
    });
    return { outcome, touchedTasks };
  }

  /** The context effects are applied in: what they gather is written once they are all applied. */
  private effectContext(input: {
    tx: EntityManager;
    instance: InstanceRow;
    cause: Cause;
    /** Null while a new ticket is planned. */
    ticketId: string | null;
    ticket: { requester_id: number | null; assignee_id: number | null } | null;
  }): GatheringContext {
    const { tx, ticketId } = input;
    const entries: AuditEntry[] = [];
    const own: { entry?: AuditEntry } = {};
    const fields: TicketFields = {};
    const participants = new Set<number>();
    let ticket = input.ticket;
    // A sub-workflow of no ticket has nothing to route.
    const hasTicket = ticketId !== null || input.instance.ticket_id !== null;
    return {
      tx,
      instance: input.instance,
      cause: input.cause,
      ticketId,
      fields,
      custom: {},
      entries,
      participants,
      writes: emptyStepWrites(),
      audit: (e) => void entries.push(e),
      own,
      ownEntry: (e) => {
        own.entry = e;
      },
      ticket: async () => {
        if (!ticket && ticketId) ticket = (await readTicketPeople(tx, ticketId)) ?? null;
        return ticket;
      },
      route: (assignee: ResolvedAssignee) => {
        if (!hasTicket) return;
        fields.assigneeId = assignee.userId;
        if (assignee.userId !== null) participants.add(assignee.userId);
        if (assignee.teamId !== null) fields.teamId = assignee.teamId;
        if (assignee.orgUnitId !== null) fields.orgUnitId = assignee.orgUnitId;
        if (ticket) ticket = { ...ticket, assignee_id: assignee.userId };
      },
      now: this.deps.time.now,
    };
  }

  /** Applies effects through their handlers; an effect nothing can apply is recorded as a failure. */
  private async applyEffects(ctx: GatheringContext, effects: Effect[]): Promise<void> {
    for (const e of effects) {
      const handler = this.deps.effects.get(e.type);
      if (handler) await handler.apply(ctx, e);
      else
        ctx.audit({
          kind: 'workflow.failed',
          body: `Nothing can apply the effect "${e.type}" (is the plugin that adds it installed and enabled?).`,
        });
    }
    // Whoever caused a run that did something takes part in the ticket.
    if (effects.length > 0 && ctx.cause.userId !== null) ctx.participants.add(ctx.cause.userId);
  }

  /**
   * Applies one event's effects inside its transaction, each through its kind's handler; then
   * writes what they gathered: the task and call rows, the ticket's change with its audit entries
   * (through the ticket store, whose listeners hear it), the notices, and the jobs.
   */
  private async perform(
    tx: EntityManager,
    instance: InstanceRow,
    effects: Effect[],
    cause: Cause,
    knownTicket: (TicketRow & { custom_fields?: Record<string, unknown> }) | null,
    options: { isStateSaved: boolean; leadingEntries?: AuditEntry[] } = { isStateSaved: true },
  ): Promise<Record<string, unknown>[]> {
    const ctx = this.effectContext({
      tx,
      instance,
      cause,
      ticketId: instance.ticket_id,
      ticket: knownTicket,
    });
    await this.applyEffects(ctx, effects);
    await keepStoredStatusName(tx, ctx.fields);
    // Everything the event writes goes in one statement: the instance's state, the task and call
    // rows, the notices and jobs, and the ticket's change with its trail (through the ticket store).
    const parts = [
      ...stepParts(options.isStateSaved ? null : instance, instance.ticket_id, ctx.writes),
      ...this.deps.notifier.parts(ctx.writes.notices),
      ...(ctx.writes.jobs.length ? [jobsPart(ctx.writes.jobs)] : []),
    ];
    const touchedTasks = (written: Record<string, unknown>[][]) =>
      parts.flatMap((p, i) => (p.isReturning ? (written[i] ?? []) : []));
    if (instance.ticket_id) {
      const { written } = await this.deps.tickets.change(
        tx,
        instance.ticket_id,
        {
          fields: ctx.fields,
          custom: ctx.custom,
          participants: [...ctx.participants],
          entries: [...(options.leadingEntries ?? []), ...ctx.entries],
          ...(ctx.own.entry ? { entry: ctx.own.entry } : {}),
          actor: actorOfCause(cause),
          origin: 'workflow',
          ...(knownTicket && String(knownTicket.id) === String(instance.ticket_id)
            ? { before: knownTicket }
            : {}),
        },
        { alongWith: parts },
      );
      return touchedTasks(written);
    }
    return touchedTasks(await writeTogether(tx, parts, { isShared: this.deps.isSharedSession }));
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
