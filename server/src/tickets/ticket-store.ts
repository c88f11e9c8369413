import { formText, type Principal } from '@docket/core';
import {
  type EntityManager,
  type JobSpec,
  jobRowOf,
  WriteBatcher,
  type WritePart,
  writeTogether,
} from '@docket/db';
import { type SlaState, slaInstants } from '@docket/engine';
import { type PublishedTemplate, ticketNumberSequence } from '../templates/template-catalog.ts';
import {
  CHANGEABLE_COLUMNS,
  type ChangeableField,
  type CreationRowWriter,
  countTicketsUnderOrgPath,
  drawTicketIdentity,
  type EventRow,
  eventsPart,
  insertEvents,
  insertTickets,
  insertTicketsSql,
  moveTicketOrgPaths,
  type NewTicket,
  readTicketForChange,
  rereadTicket,
  ticketUpdatePart,
} from './ticket-repository.ts';
import type { TicketRow } from './ticket-row.ts';

/**
 * The ticket store: every change to a ticket goes through here (create, field changes, status,
 * assignment, replies and notes, workflow step effects, SLA actions, plugin patches), writing the
 * row and its audit entries and telling the listeners (the SLA clocks; later pub/sub and reports)
 * in the same transaction. Other domains never write the ticket or ticket_event tables
 * themselves; they plan what a new ticket starts with (CreationPlanner) and hear what changes
 * (TicketChangeListener).
 */

export type Diff = Record<string, { from: unknown; to: unknown }>;

/** Who changed a ticket, through which channel. */
export type Actor = {
  kind: 'user' | 'customer' | 'system';
  id: number | null;
  viaTokenId: number | null;
  channel: string;
};

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null, viaTokenId: null, channel: 'system' };

/**
 * Stands for a new ticket's id in what is planned before the ticket exists (job keys and data):
 * the statement writing the ticket puts the id in its place.
 */
export const TICKET_ID_PLACEHOLDER = '{ticketId}';

export const actorOf = (p: Principal, channel: string): Actor =>
  p.kind === 'user'
    ? { kind: 'user', id: p.userId, viaTokenId: p.viaTokenId, channel }
    : { kind: 'customer', id: p.customerId, viaTokenId: null, channel };

/** One audit entry before it is written. */
export type AuditEntry = { kind: string; diff?: unknown; body?: string | null; isPublic?: boolean };

/** A change of a ticket's fields, by the names the audit trail uses. */
export type TicketFields = Partial<Record<ChangeableField, unknown>>;

/** Which domain made a change: listeners skip what they did themselves. */
export type ChangeOrigin = 'ticket' | 'workflow' | 'sla' | 'plugin';

export type TicketChange = {
  /** Fields to set; those equal to the current value are not changes. */
  fields?: TicketFields;
  /** Custom fields (workflow outputs, plugin data) merged into the ticket's own. */
  custom?: Record<string, unknown>;
  /** Staff who take part in the ticket from now on (they keep seeing it). */
  participants?: number[];
  /** Entries written before this change's own entry (a workflow's task.created, say). */
  entries?: AuditEntry[];
  /**
   * The change's own entry (`updated` when absent), with the field diff added to its diff. It is
   * written when a field changed, or when it says something itself (a reply's or note's body,
   * which also counts as an update of the ticket). Null: no entry of its own (the caller records
   * the change in one of its `entries`, as an SLA action does).
   */
  entry?: AuditEntry | null;
  actor: Actor;
  origin: ChangeOrigin;
  /** The row as the caller read it under a lock in this transaction (saves reading it again). */
  before?: TicketRow & { custom_fields?: Record<string, unknown> };
};

/** What listeners hear, in the transaction of the change. */
export type TicketChanged = {
  ticketId: string;
  row: TicketRow;
  diff: Diff;
  /** Every entry written, in order, with the change's own last. */
  entries: AuditEntry[];
  actor: Actor;
  origin: ChangeOrigin;
};
export type TicketChangeListener = (tx: EntityManager, change: TicketChanged) => Promise<void>;

/** What a new ticket is made of, as its creator gives it. */
export type NewTicketInput = {
  template: PublishedTemplate;
  title: string;
  description: string;
  priority: string;
  formData: Record<string, unknown>;
  channel: string;
  requesterId: number | null;
  creatorUserId: number | null;
  assigneeId: number | null;
  teamId: number | null;
  /** Where the ticket lands (its org unit, or its team's, with that unit's path). */
  place: { orgUnitId: number | null; path: string };
  /** The unit named by the creator (the statement takes the team's unit when none is named). */
  orgUnitId: number | null;
  /** The `created` entry's diff. */
  createdDiff: Diff;
  actor: Actor;
  /** Rows registered writers write with the ticket, by writer key (see TicketStore.addRowWriter). */
  rows?: Record<string, readonly unknown[]>;
};

/**
 * Work to do inside the creating transaction once the row exists (true when it changed the
 * ticket). `isNeeded` is asked once every planner has planned: a later planner may make it moot.
 */
export type AfterInsert = {
  run: (tx: EntityManager, row: TicketRow) => Promise<boolean>;
  isNeeded?: () => boolean;
};

/**
 * A new ticket while it is planned: each planner (SLA, workflows) adds what it starts with. A
 * planner that changes the ticket's fields does so through `change`, so later planners and the
 * listeners of the plan (the SLA's clocks) hear it, as they would for a stored ticket.
 */
export class CreationPlan {
  /** The ticket as it will be written; id, number and creation time are placeholders until drawn. */
  draft: TicketRow;
  readonly custom: Record<string, unknown> = {};
  readonly participants = new Set<number>();
  readonly events: EventRow[] = [];
  slaClocks: { policyId: number | null; state: unknown } = { policyId: null, state: null };
  workflowInstance: NewTicket['instance'];
  /** Rows other domains write with the ticket, by writer key (a planned workflow's tasks, notices). */
  readonly rows: Record<string, unknown[]> = {};
  /** Jobs written with the ticket (timers, deliveries); TICKET_ID_PLACEHOLDER stands for its id. */
  readonly jobs: JobSpec[] = [];
  /** Work done once every planner has planned, before the ticket is written (final timer jobs, say). */
  readonly beforeWrite: (() => void)[] = [];
  readonly afterInsert: AfterInsert[] = [];
  /** Something will change the ticket right after it is written (an SLA action due at once). */
  changesAfterInsert = false;
  drawn: { id: string; seq: string; now: Date } | undefined;
  private readonly changeListeners: ((diff: Diff, fields: TicketFields) => void)[] = [];

  constructor(
    readonly input: NewTicketInput,
    private readonly tools: {
      draw: () => Promise<{ id: string; seq: string; now: Date }>;
      numberAround: NumberAround;
    },
  ) {
    const at = new Date();
    this.draft = {
      id: '0',
      number: '',
      template_id: input.template.templateId,
      template_version_id: input.template.versionId,
      title: input.title,
      description: input.description,
      status: 'new',
      status_name: null,
      priority: input.priority as TicketRow['priority'],
      form_data: input.formData,
      requester_id: input.requesterId,
      creator_user_id: input.creatorUserId,
      assignee_id: input.assigneeId,
      team_id: input.teamId,
      org_unit_id: input.place.orgUnitId,
      org_path: input.place.path,
      channel: input.channel,
      created_at: at,
      updated_at: at,
      solved_at: null,
      closed_at: null,
    };
    this.add({ kind: 'created', diff: input.createdDiff, isPublic: true }, input.actor);
    for (const [key, rows] of Object.entries(input.rows ?? {})) this.addRows(key, rows);
  }

  /** Adds rows a registered writer writes with the ticket (see TicketStore.addRowWriter). */
  addRows(key: string, rows: readonly unknown[]): void {
    if (rows.length === 0) return;
    const list = this.rows[key] ?? [];
    list.push(...rows);
    this.rows[key] = list;
  }

  /** Appends an audit entry to the new ticket's trail. */
  add(entry: AuditEntry, actor: Actor): void {
    this.events.push(eventRow(entry, actor));
  }

  /** Draws the ticket's id, number and creation time now (a workflow that reads them needs them). */
  async drawIdentity(): Promise<void> {
    if (this.drawn) return;
    this.drawn = await this.tools.draw();
    const { prefix, width, suffix } = this.numberParts(this.drawn.now);
    this.draft = {
      ...this.draft,
      id: this.drawn.id,
      number: `${prefix}${this.drawn.seq.padStart(width, '0')}${suffix}`,
      created_at: this.drawn.now,
      updated_at: this.drawn.now,
    };
  }

  numberParts(at: Date): { prefix: string; width: number; suffix: string } {
    return this.tools.numberAround(this.input.template, at);
  }

  /** Hears the field changes planners make (the SLA feeds them to the new clocks). */
  onChange(listener: (diff: Diff, fields: TicketFields) => void): void {
    this.changeListeners.push(listener);
  }

  /**
   * Changes the new ticket's fields (and custom fields) before it is written, with the entries
   * that say why first and an `updated` entry for what changed; returns the diff.
   */
  change(change: {
    fields: TicketFields;
    custom?: Record<string, unknown>;
    entries: AuditEntry[];
    actor: Actor;
  }): Diff {
    for (const e of change.entries) this.add(e, change.actor);
    const diff = diffFields(this.draft, change.fields, this.custom, change.custom ?? {});
    for (const [field, value] of Object.entries(change.fields))
      (this.draft as Record<string, unknown>)[CHANGEABLE_COLUMNS[field as ChangeableField]] = value;
    Object.assign(this.custom, change.custom ?? {});
    if (Object.keys(diff).length === 0) return diff;
    this.add({ kind: 'updated', diff }, change.actor);
    for (const listener of this.changeListeners) listener(diff, change.fields);
    return diff;
  }

  /** The statement's input for this ticket. */
  toNewTicket(): NewTicket {
    const d = this.draft;
    const instants = slaInstants(this.slaClocks.state as SlaState | null);
    const { prefix, width, suffix } = this.numberParts(this.drawn?.now ?? new Date());
    return {
      ...(this.drawn ? { id: this.drawn.id, seq: this.drawn.seq, at: this.drawn.now.toISOString() } : {}),
      sequence: ticketNumberSequence(this.input.template.templateId),
      prefix,
      width,
      suffix,
      template_id: d.template_id,
      template_version_id: d.template_version_id,
      title: d.title,
      description: d.description,
      status: d.status,
      status_name: d.status_name,
      priority: d.priority,
      form_data: d.form_data,
      form_text: formText(d.form_data),
      custom_fields: this.custom,
      participant_ids: [...this.participants],
      requester_id: d.requester_id,
      creator_user_id: d.creator_user_id,
      assignee_id: d.assignee_id,
      team_id: d.team_id,
      org_unit_id: this.input.orgUnitId,
      channel: d.channel,
      events: this.events,
      policy_id: this.slaClocks.policyId,
      sla_state: this.slaClocks.state,
      sla_next_due_at: instants.nextDueAt,
      sla_breach_at: instants.breachAt,
      ...(this.workflowInstance ? { instance: this.workflowInstance } : {}),
      rows: this.rows,
      jobs: this.jobs.map(jobRowOf),
    };
  }
}

/** A domain's part of a new ticket: its SLA clocks, its workflow's first steps. */
export type CreationPlanner = (em: EntityManager, plan: CreationPlan) => Promise<void>;

/** The number parts of a ticket created at an instant (its template's pattern, in the configured zone). */
export type NumberAround = (
  template: PublishedTemplate,
  at: Date,
) => { prefix: string; width: number; suffix: string };

export class TicketStore {
  private readonly planners: CreationPlanner[] = [];
  private readonly writers: CreationRowWriter[] = [];
  private statement: { sql: string; isShared: boolean } | undefined;
  private readonly listeners: TicketChangeListener[] = [];
  /** New tickets written outside a transaction: concurrent ones share one statement. */
  readonly writes: WriteBatcher<NewTicket, TicketRow>;

  constructor(
    private readonly deps: {
      em: () => EntityManager;
      /** The connections share one session (embedded database, or a pooler): no named statements. */
      isSharedSession: boolean;
      writeBatch: number;
      writeStatements: number;
      /** A shared statement is cancelled after this long (a slow lock holds no batch for long). */
      writeTimeoutMs?: number;
      /** Creations that may wait for a statement; more are refused as retryable. */
      writeQueue?: number;
      numberAround: NumberAround;
    },
  ) {
    this.writes = new WriteBatcher(
      (tickets) =>
        insertTickets(deps.em(), { ...this.insertStatement(), timeoutMs: deps.writeTimeoutMs }, tickets),
      {
        maxInFlight: deps.writeStatements,
        maxBatch: deps.writeBatch,
        ...(deps.writeQueue ? { maxQueue: deps.writeQueue } : {}),
      },
    );
  }

  /** Another domain's rows written with new tickets; added while the app is built, before the first ticket. */
  addRowWriter(writer: CreationRowWriter): void {
    if (this.statement)
      throw new Error('Row writers are added while the app is built, before any ticket is created.');
    this.writers.push(writer);
  }

  private insertStatement(): { sql: string; isShared: boolean } {
    this.statement ??= { sql: insertTicketsSql(this.writers), isShared: this.deps.isSharedSession };
    return this.statement;
  }

  /** Planners run in the order added, on every new ticket. */
  addPlanner(planner: CreationPlanner): void {
    this.planners.push(planner);
  }

  /** Listeners hear every change, in its transaction, in the order added. */
  onChange(listener: TicketChangeListener): void {
    this.listeners.push(listener);
  }

  /**
   * Creates a ticket: every planner adds its part (clocks, a workflow's first steps), then the
   * ticket, its audit trail and those parts are written in one statement (shared with tickets
   * created at the same moment) when nothing must run after it; otherwise in one transaction with
   * the work that must (SLA actions due at once, a workflow's waiting steps). Inside the caller's
   * transaction when `em` is in one.
   */
  async create(em: EntityManager, input: NewTicketInput): Promise<TicketRow> {
    const plan = new CreationPlan(input, {
      draw: () =>
        drawTicketIdentity(em, ticketNumberSequence(input.template.templateId), this.deps.isSharedSession),
      numberAround: this.deps.numberAround,
    });
    for (const planner of this.planners) await planner(em, plan);
    for (const work of plan.beforeWrite) work();
    const after = plan.afterInsert.filter((a) => a.isNeeded?.() ?? true);
    if (after.length === 0) {
      if (!em.isInTransaction()) return this.writes.submit(plan.toNewTicket());
      return (await insertTickets(em, this.insertStatement(), [plan.toNewTicket()]))[0]!;
    }
    const write = async (tx: EntityManager) => {
      let row = (await insertTickets(tx, this.insertStatement(), [plan.toNewTicket()]))[0]!;
      let isChanged = false;
      for (const work of after) {
        if (isChanged) row = await rereadTicket(tx, row.id);
        isChanged = (await work.run(tx, row)) || isChanged;
      }
      return isChanged ? rereadTicket(tx, row.id) : row;
    };
    return em.isInTransaction() ? write(em) : em.transactional(write);
  }

  /**
   * Changes a ticket inside the caller's transaction: locks and reads it (unless the caller passes
   * the row it locked), then writes the fields that differ and its entries in one statement, with
   * the caller's own writes of the same moment (`alongWith`: a workflow step's task, notice and job
   * rows), and tells the listeners. Returns the row after the change and what changed.
   */
  async change<C extends TicketChange>(
    tx: EntityManager,
    ticketId: string | number,
    change: C,
    options: { alongWith?: WritePart[] } = {},
  ): Promise<{
    row: C extends { before: TicketRow } ? TicketRow : TicketRow | null;
    diff: Diff;
    /** The rows returned by the `alongWith` parts, by their index there. */
    written: Record<string, unknown>[][];
  }> {
    const fields = change.fields ?? {};
    const custom = change.custom ?? {};
    const needsCustom = Object.keys(custom).length > 0;
    // What the change is compared with: the caller's locked row, or the row read (and locked) now.
    const before =
      change.before && (!needsCustom || change.before.custom_fields)
        ? change.before
        : Object.keys(fields).length > 0 || needsCustom
          ? await readTicketForChange(tx, ticketId)
          : null;
    if (before === undefined) throw new Error(`Ticket ${ticketId} vanished inside its own transaction.`);
    const diff = before ? diffFields(before, fields, before.custom_fields ?? {}, custom) : {};
    const columns: TicketFields = {};
    for (const [field, value] of Object.entries(fields))
      if (diff[field] !== undefined) columns[field as ChangeableField] = value;
    const participants = change.participants?.filter((id) => id !== null) ?? [];
    const changedCustom = Object.fromEntries(Object.entries(custom).filter(([k]) => diff[k] !== undefined));
    const own = change.entry === null ? null : (change.entry ?? { kind: 'updated' });
    const isChanged = Object.keys(diff).length > 0;
    const isOwnWritten = own !== null && (isChanged || Boolean(own.body));
    const entries = [...(change.entries ?? [])];
    if (own && isOwnWritten)
      entries.push({
        ...own,
        diff: isChanged || own.diff ? { ...(own.diff as Diff | undefined), ...diff } : null,
      });
    const parts: WritePart[] = [];
    const isRowWritten =
      Object.keys(columns).length > 0 ||
      Object.keys(changedCustom).length > 0 ||
      participants.length > 0 ||
      Boolean(own?.body);
    if (isRowWritten)
      parts.push(
        ticketUpdatePart(ticketId, {
          columns,
          ...(columns.formData !== undefined ? { formText: formText(columns.formData) } : {}),
          custom: changedCustom,
          participants,
        }),
      );
    if (entries.length > 0)
      parts.push(
        eventsPart(entries.map((e) => ({ ...eventRow(e, change.actor), ticket_id: String(ticketId) }))),
      );
    const written = await writeTogether(tx, [...parts, ...(options.alongWith ?? [])], {
      isShared: this.deps.isSharedSession,
    });
    const row: TicketRow | null = isRowWritten
      ? ((written[0]?.[0] as TicketRow | undefined) ?? null)
      : before;
    if (entries.length > 0 || isChanged) {
      const changed: TicketChanged = {
        ticketId: String(ticketId),
        row: row ?? (await rereadTicket(tx, ticketId)),
        diff,
        entries,
        actor: change.actor,
        origin: change.origin,
      };
      for (const listener of this.listeners) await listener(tx, changed);
    }
    return { row: row as never, diff, written: written.slice(parts.length) };
  }

  /**
   * Tickets under an org unit that moved with its subtree: their org paths follow (one statement
   * for however many tickets; their org unit ids stay, so no entry on their trails).
   */
  moveOrgPaths(tx: EntityManager, fromPath: string, toPath: string): Promise<void> {
    return moveTicketOrgPaths(tx, fromPath, toPath);
  }

  /** How many tickets (and open ones) an org unit's move would take along: those under its path. */
  countUnderOrgPath(em: EntityManager, path: string): Promise<{ total: number; open: number }> {
    return countTicketsUnderOrgPath(em, path);
  }

  /** Audit entries that change no field, as a part of the caller's statement (writeTogether). */
  entriesPart(entries: (AuditEntry & { ticketId: string | number; actor: Actor })[]): WritePart {
    return eventsPart(entries.map((e) => ({ ...eventRow(e, e.actor), ticket_id: String(e.ticketId) })));
  }

  /** Appends audit entries (to one ticket or many) with one statement: for what changes no field. */
  async append(
    tx: EntityManager,
    entries: (AuditEntry & { ticketId: string | number; actor: Actor })[],
  ): Promise<void> {
    await insertEvents(
      tx,
      entries.map((e) => ({ ...eventRow(e, e.actor), ticket_id: String(e.ticketId) })),
    );
  }
}

function eventRow(entry: AuditEntry, actor: Actor): EventRow {
  return {
    kind: entry.kind,
    actor_kind: actor.kind,
    actor_id: actor.id,
    via_token_id: actor.viaTokenId,
    channel: actor.channel,
    is_public: entry.isPublic ?? false,
    body: entry.body ?? null,
    diff: entry.diff ?? null,
  };
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** What a change of fields (and custom fields) changes against the row, as {field: {from, to}}. */
function diffFields(
  row: TicketRow,
  fields: TicketFields,
  customBefore: Record<string, unknown>,
  custom: Record<string, unknown>,
): Diff {
  const diff: Diff = {};
  for (const [field, to] of Object.entries(fields)) {
    if (to === undefined) continue;
    const from = (row as Record<string, unknown>)[CHANGEABLE_COLUMNS[field as ChangeableField]] ?? null;
    if (!same(from, to)) diff[field] = { from, to };
  }
  for (const [key, to] of Object.entries(custom))
    if (!same(customBefore[key], to)) diff[key] = { from: customBefore[key] ?? null, to };
  return diff;
}
