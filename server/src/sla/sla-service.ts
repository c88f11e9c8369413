import {
  type Priority,
  type SlaMetric,
  type SlaPolicy,
  type SlaTicketFacts,
  type StatusCategory,
  selectPolicy,
} from '@docket/core';
import {
  afterCommit,
  type EntityManager,
  type JobBus,
  type JobSpec,
  jobsPart,
  writeTogether,
} from '@docket/db';
import type {
  SlaClock,
  SlaClockView,
  SlaEvent,
  SlaFiring,
  SlaResult,
  SlaScheduledFiring,
  SlaState,
} from '@docket/engine';
import { TtlCache } from '../auth/ttl-cache.ts';
import { createTopics, type PubSubEventTarget } from '../graphql/pubsub.ts';
import type { Notifier } from '../notifications/notifier.ts';
import {
  type CreationPlan,
  type Diff,
  SYSTEM_ACTOR,
  TICKET_ID_PLACEHOLDER,
  type TicketChanged,
  type TicketStore,
} from '../tickets/ticket-store.ts';
import type { SlaActionRegistry } from './sla-action-registry.ts';
import { runSlaAction, SlaActionBatch } from './sla-actions.ts';
import { clockChangeRows, type SlaAuditRow } from './sla-audit.ts';
import { canonical, SlaCatalog, type SlaSetup } from './sla-catalog.ts';
import {
  clockStatesPart,
  type FactsRow,
  lockClockStates,
  lockClocksWithFacts,
  readClockState,
  readCustomerTier,
  readFacts,
  saveClockStates,
} from './sla-repository.ts';

export const SLA_TIMER_QUEUE = 'sla-timer';
export const SLA_QUEUES = [SLA_TIMER_QUEUE];

/** What a timer job carries: which clock, at which version, and which action (null: the breach). */
export type SlaTimerData = {
  ticketId: string;
  metric: SlaMetric;
  version: number;
  actionIndex: number | null;
};

/** A ticket change the clocks must hear, as the ticket services report it (the instant is the SLA clock's). */
export type SlaTicketEvent =
  | { type: 'agent_public_reply' }
  | { type: 'customer_message' }
  | { type: 'status_changed'; category: StatusCategory; status?: string | null }
  | { type: 'priority_changed'; priority: Priority };

export type SlaClockWithView = { clock: SlaClock; view: SlaClockView };

/** The topic subscriptions listen on: a ticket's clocks changed (after the change committed). */
export type SlaPubSub = ReturnType<typeof createSlaPubSub>;
type SlaTopics = { ticketSlaChanged: [ticketId: string, payload: { ticketId: string }] };
const createSlaPubSub = (eventTarget?: PubSubEventTarget) => createTopics<SlaTopics>(eventTarget);

const iso = (ms: number): string => new Date(ms).toISOString();

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** One ticket's SLA changes within one transaction: the engine's results, gathered. */
class SlaWork {
  state: SlaState | null;
  readonly scheduled: SlaScheduledFiring[] = [];
  readonly fired: SlaFiring[] = [];
  readonly audit: SlaAuditRow[] = [];
  readonly changed = new Set<SlaMetric>();
  ranActions = 0;
  /** Whether the engine produced anything (else there is nothing to store). */
  isTouched = false;
  /** The ticket's facts as read with its clocks, while nothing changed them. */
  facts: FactsRow | undefined;

  constructor(
    readonly setup: SlaSetup,
    state: SlaState | null,
    readonly atMs: number,
  ) {
    this.state = state;
  }

  get at(): string {
    return iso(this.atMs);
  }

  apply(event: SlaEvent): void {
    this.absorb(this.setup.engine.applySlaEvent(this.state, event));
  }

  absorb(result: SlaResult): void {
    this.isTouched = true;
    this.audit.push(...clockChangeRows(this.state, result.state));
    this.state = result.state;
    this.scheduled.push(...result.scheduled);
    this.fired.push(...result.fired);
    for (const metric of result.changed) this.changed.add(metric);
  }
}

/** What a policy condition reads about a ticket, from the database (inside the ticket's transaction). */
async function loadFacts(
  tx: EntityManager,
  ticketId: string | number,
): Promise<{ row: FactsRow; facts: SlaTicketFacts }> {
  return factsOf(await readFacts(tx, ticketId));
}

export function factsOf(row: FactsRow): { row: FactsRow; facts: SlaTicketFacts } {
  const categoryPath = row.category_path ?? [];
  return {
    row,
    facts: {
      template: row.template_key,
      category: categoryPath.join('/'),
      categoryPath,
      priority: row.priority,
      customerTier: row.tier ?? '',
      channel: row.channel,
      orgUnitPath: row.org_path,
      form: row.form_data ?? {},
    },
  };
}

/**
 * Locks the tickets (in id order), then their clocks: always in this order, as every ticket
 * change does. Gives each ticket's clock state by id; a ticket without clocks is left out.
 */
async function lockStates(tx: EntityManager, ticketIds: readonly string[]): Promise<Map<string, SlaState>> {
  const rows = await lockClockStates(tx, ticketIds);
  for (const { state } of rows) if (state.policy) state.policy = canonical(state.policy);
  return new Map(rows.map((r) => [r.ticket_id, r.state]));
}

async function lockState(
  tx: EntityManager,
  ticketId: string | number,
): Promise<{ state: SlaState } | undefined> {
  const state = (await lockStates(tx, [String(ticketId)])).get(String(ticketId));
  return state ? { state } : undefined;
}

/**
 * The SLA clocks of tickets, kept in ticket_sla (one JSON state per ticket) and driven by
 * @docket/engine. Ticket services call it inside their transactions; it stores the new state,
 * writes the audit trail, runs the actions that fall due and enqueues the timer jobs for the
 * rest, all in the same transaction. Timer jobs land in handleTimers.
 */
export class SlaService {
  readonly catalog = new SlaCatalog();
  readonly pubsub: SlaPubSub;
  private readonly tiers = new TtlCache<number, string | null>(2_000);

  constructor(
    private readonly deps: {
      jobs: JobBus;
      /** The SLA clock (services.clock, read at each use so a test can swap it). */
      now: () => number;
      tickets: TicketStore;
      notifier: Notifier;
      actions: SlaActionRegistry;
      /** The database connections share one session: no named prepared statements. */
      isSharedSession: boolean;
      /** Redis when REDIS_URL is set, so that a subscriber on one server hears changes made on another. */
      eventTarget?: PubSubEventTarget;
    },
  ) {
    this.pubsub = createSlaPubSub(deps.eventTarget);
  }

  now(): number {
    return this.deps.now();
  }

  /**
   * The SLA's part of a new ticket (a creation planner of the ticket store): the policy its facts
   * select and its clocks' first state, with their audit entries, written by the statement that
   * writes the ticket. Changes planned after it (a workflow's first steps setting a status or
   * priority) go to the clocks as they are made, and the policy is selected again. Actions due at
   * once and the clocks' timer jobs run in the creating transaction, after the insert.
   */
  async planCreation(em: EntityManager, plan: CreationPlan): Promise<void> {
    const setup = await this.catalog.load(em);
    const d = plan.draft;
    const tier = d.requester_id === null ? null : await this.tierOf(em, d.requester_id);
    let row: FactsRow = {
      priority: d.priority,
      status: d.status,
      channel: d.channel,
      org_path: d.org_path,
      form_data: d.form_data,
      template_key: plan.input.template.key,
      category_path: plan.input.template.content.categoryPath,
      tier,
    };
    const work = new SlaWork(setup, null, this.now());
    work.apply({
      type: 'ticket_created',
      at: work.at,
      priority: row.priority,
      category: row.status,
      status: null,
      policy: policyFor(setup, factsOf(row).facts),
    });
    const flush = () => {
      for (const a of work.audit.splice(0)) plan.add(a, SYSTEM_ACTOR);
      plan.slaClocks = { policyId: policyIdOf(work.state!), state: work.state };
    };
    flush();
    // Actions due at once run after the insert, before anything else may read the ticket.
    if (work.fired.length > 0) plan.changesAfterInsert = true;
    plan.onChange((diff) => {
      if (diff.status) row = { ...row, status: diff.status.to as StatusCategory };
      if (diff.priority) row = { ...row, priority: diff.priority.to as Priority };
      for (const event of slaEventsOf(diff, plan.draft)) work.apply({ ...event, at: work.at } as SlaEvent);
      const policy = policyFor(setup, factsOf(row).facts);
      if (!sameJson(policy, work.state?.policy ?? null))
        work.apply({ type: 'policy_changed', at: work.at, policy });
      flush();
    });
    // The clocks' timer jobs are written with the ticket; actions due at once run after the insert
    // (they act on the stored ticket), and their work writes the jobs then.
    plan.beforeWrite.push(() => {
      if (work.fired.length === 0) plan.jobs.push(...this.jobsFor(TICKET_ID_PLACEHOLDER, work, []));
    });
    plan.afterInsert.push({
      isNeeded: () => work.fired.length > 0,
      run: async (tx, ticket) => {
        await this.runFired(tx, ticket.id, work);
        await this.finish(tx, ticket.id, work, { isStored: work.ranActions === 0 });
        return work.ranActions > 0;
      },
    });
  }

  /**
   * A ticket changed (a listener of the ticket store): its clocks hear replies, status and
   * priority changes, and the policy is selected again when a fact a condition reads changed.
   * The SLA's own changes (its actions) are fed back where they are made.
   */
  async onTicketChanged(tx: EntityManager, change: TicketChanged): Promise<void> {
    if (change.origin === 'sla') return;
    const events = slaEventsOf(change.diff, change.row);
    const reply = change.entries.find((e) => e.kind === 'reply' && e.isPublic);
    if (reply)
      events.unshift({ type: change.actor.kind === 'customer' ? 'customer_message' : 'agent_public_reply' });
    if (events.length === 0 && !POLICY_FACTS.some((field) => field in change.diff)) return;
    await this.ticketChanged(tx, change.ticketId, events, { isTicketLocked: true });
  }

  /** A customer's tier, for policy conditions; customers create tickets often, tiers change rarely. */
  private async tierOf(em: EntityManager, customerId: number): Promise<string | null> {
    const hit = this.tiers.get(customerId);
    if (hit !== undefined) return hit;
    const tier = await readCustomerTier(em, customerId);
    this.tiers.set(customerId, tier);
    return tier;
  }

  /**
   * Feeds ticket changes to its clocks, then selects the policy again (a changed priority, org
   * unit or form may select another). Tickets created before SLA existed have no clocks: skipped.
   */
  async ticketChanged(
    tx: EntityManager,
    ticketId: string | number,
    events: SlaTicketEvent[],
    /** The caller holds the ticket's lock (a ticket store change): only the clocks are locked here. */
    options: { isTicketLocked?: boolean } = {},
  ): Promise<void> {
    // The clocks and the facts a policy reads, in one round trip.
    const locked = await lockClocksWithFacts(tx, ticketId, {
      isTicketLocked: options.isTicketLocked ?? false,
    });
    if (!locked) return;
    if (locked.state.policy) locked.state.policy = canonical(locked.state.policy);
    const setup = await this.setupFor(tx, locked.state);
    const work = new SlaWork(setup, locked.state, this.now());
    work.facts = locked.facts;
    for (const event of events) work.apply({ ...event, at: work.at } as SlaEvent);
    // Every change, a reply too, picks up edited policies and customer tiers.
    await this.reselect(tx, ticketId, work);
    if (!work.isTouched) return;
    await this.runFired(tx, ticketId, work);
    await this.finish(tx, ticketId, work, {});
  }

  /**
   * One timer job, as a batch of one (see handleTimers): a job for an older clock version does
   * nothing ('stale'); otherwise breaches are marked and due actions run.
   */
  async handleTimer(
    em: EntityManager,
    data: SlaTimerData,
    jobId: string,
  ): Promise<'missing' | 'stale' | 'applied'> {
    const [outcome] = await this.handleTimers(em, [{ ...data, jobId }]);
    return outcome!;
  }

  /**
   * A batch of timer jobs in one transaction: their tickets locked in id order, each ticket's jobs
   * handed to the engine (the first one due does all that is due; the rest find nothing), the
   * actions run, and every clock, audit entry, notice and next timer written with one statement
   * each. Outcomes are in the order of `timers`.
   */
  handleTimers(
    em: EntityManager,
    timers: (SlaTimerData & { jobId: string })[],
  ): Promise<('missing' | 'stale' | 'applied')[]> {
    return em.transactional(async (tx) => {
      const ids = [...new Set(timers.map((t) => t.ticketId))].sort((a, b) => Number(a) - Number(b));
      const states = await lockStates(tx, ids);
      const outcomes = timers.map((): 'missing' | 'stale' | 'applied' => 'stale');
      const batch = await SlaActionBatch.load(tx, ids);
      const nowMs = this.now();
      const done: { ticketId: string; work: SlaWork; applied: (SlaTimerData & { jobId: string })[] }[] = [];
      for (const ticketId of ids) {
        const state = states.get(ticketId);
        const mine = timers.flatMap((t, i) => (t.ticketId === ticketId ? [{ t, i }] : []));
        if (!state) {
          for (const { i } of mine) outcomes[i] = 'missing';
          continue;
        }
        const setup = await this.setupFor(tx, state);
        let work: SlaWork | undefined;
        const applied: (SlaTimerData & { jobId: string })[] = [];
        for (const { t, i } of mine) {
          const result = setup.engine.onTimer(work?.state ?? state, {
            metric: t.metric,
            version: t.version,
            actionIndex: t.actionIndex,
            now: new Date(nowMs),
          });
          if (result.stale) continue;
          work ??= new SlaWork(setup, state, nowMs);
          work.absorb(result);
          outcomes[i] = 'applied';
          applied.push(t);
        }
        if (!work) continue;
        await this.runFired(tx, ticketId, work, batch);
        done.push({ ticketId, work, applied });
      }
      if (done.length === 0) return outcomes;
      await saveClockStates(
        tx,
        done.map(({ ticketId, work }) => ({
          ticket_id: ticketId,
          policy_id: policyIdOf(work.state!),
          state: work.state!,
        })),
      );
      await this.writeAudit(
        tx,
        done.flatMap(({ ticketId, work }) => work.audit.map((a) => ({ ...a, ticketId }))),
      );
      await this.deps.notifier.send(tx, batch.notices);
      await this.deps.jobs.sendInTransaction(
        tx,
        done.flatMap(({ ticketId, work, applied }) => this.jobsFor(ticketId, work, applied)),
      );
      for (const { ticketId, work } of done)
        if (work.changed.size > 0 || work.ranActions > 0)
          afterCommit(tx, () => this.pubsub.publish('ticketSlaChanged', ticketId, { ticketId }));
      return outcomes;
    });
  }

  /** Brings a ticket's clocks to now, as a timer would: marks breaches and runs the actions due. */
  catchUp(em: EntityManager, ticketId: string | number): Promise<void> {
    return em.transactional(async (tx) => {
      const locked = await lockState(tx, ticketId);
      if (!locked) return;
      const setup = await this.setupFor(tx, locked.state);
      const work = new SlaWork(setup, locked.state, this.now());
      work.absorb(setup.engine.dueActions(locked.state, new Date(work.atMs)));
      await this.runFired(tx, ticketId, work);
      await this.finish(tx, ticketId, work, {});
    });
  }

  /** Every clock of a ticket as the desk shows it now (first response, next response, periodic update, resolution). */
  async clocksOf(em: EntityManager, ticketId: string | number): Promise<SlaClockWithView[]> {
    const state = await readClockState(em, ticketId);
    return state ? this.viewsOf(em, state) : [];
  }

  async viewsOf(em: EntityManager, state: SlaState): Promise<SlaClockWithView[]> {
    const setup = await this.setupFor(em, state);
    const now = new Date(this.now());
    return (['first_response', 'next_response', 'periodic_update', 'resolution'] as const)
      .map((metric) => state.clocks[metric])
      .filter((clock): clock is SlaClock => clock !== undefined)
      .map((clock) => ({ clock, view: setup.engine.clockAt(clock, now) }));
  }

  /**
   * The catalog, read again when the state counts in a calendar it does not know yet (one created
   * in another process within the cache's two seconds).
   */
  private async setupFor(em: EntityManager, state: SlaState): Promise<SlaSetup> {
    const setup = await this.catalog.load(em);
    const keys = [state.policy?.calendarId, ...Object.values(state.clocks).map((c) => c?.calendarId)];
    if (keys.every((key) => !key || setup.calendars.has(key))) return setup;
    this.catalog.invalidate();
    return this.catalog.load(em);
  }

  private async reselect(tx: EntityManager, ticketId: string | number, work: SlaWork): Promise<void> {
    // Facts read with the clocks serve until an action changes them.
    const { facts } = work.facts ? factsOf(work.facts) : await loadFacts(tx, ticketId);
    const policy = policyFor(work.setup, facts);
    if (sameJson(policy, work.state?.policy ?? null)) return;
    work.apply({ type: 'policy_changed', at: work.at, policy });
  }

  /** Runs the fired actions; a change they make to the ticket goes back to the clocks. */
  private async runFired(
    tx: EntityManager,
    ticketId: string | number,
    work: SlaWork,
    batch?: SlaActionBatch,
  ): Promise<void> {
    for (let n = 0; work.fired.length > 0; n++) {
      if (n >= 100)
        throw new Error(
          `SLA actions on ticket ${ticketId} kept setting one another off (100 in one change): check the actions of SLA policy "${work.state?.policy?.name ?? '?'}", which raise priority or move the ticket into a policy that fires again.`,
        );
      const firing = work.fired.shift()!;
      const result = await runSlaAction(
        { tx, tickets: this.deps.tickets, notifier: this.deps.notifier, actions: this.deps.actions },
        ticketId,
        firing,
        batch,
      );
      work.ranActions++;
      work.audit.push(result.audit);
      if (result.priority) work.apply({ type: 'priority_changed', at: work.at, priority: result.priority });
      if (result.isFactChanged) {
        work.facts = undefined;
        await this.reselect(tx, ticketId, work);
      }
    }
  }

  /** Stores the state, writes the audit trail, enqueues the timers, and announces the change after commit. */
  private async finish(
    tx: EntityManager,
    ticketId: string | number,
    work: SlaWork,
    /** isStored: the row already holds this state (written by the statement creating the ticket). */
    options: { isStored?: boolean },
  ): Promise<void> {
    const state = work.state!;
    const policyId = policyIdOf(state);
    // The clocks, their trail and their timer jobs in one statement.
    const jobs = this.jobsFor(ticketId, work, []);
    await writeTogether(
      tx,
      [
        ...(options.isStored
          ? []
          : [clockStatesPart([{ ticket_id: String(ticketId), policy_id: policyId, state }])]),
        ...(work.audit.length
          ? [this.deps.tickets.entriesPart(work.audit.map((a) => ({ ...a, ticketId, actor: SYSTEM_ACTOR })))]
          : []),
        ...(jobs.length ? [jobsPart(jobs)] : []),
      ],
      { isShared: this.deps.isSharedSession },
    );
    if (work.changed.size > 0 || work.ranActions > 0)
      afterCommit(tx, () =>
        this.pubsub.publish('ticketSlaChanged', String(ticketId), { ticketId: String(ticketId) }),
      );
  }

  /** The SLA's entries on audit trails (actor: Docket itself; internal), through the ticket store. */
  private writeAudit(
    tx: EntityManager,
    rows: (SlaAuditRow & { ticketId: string | number })[],
  ): Promise<void> {
    return this.deps.tickets.append(
      tx,
      rows.map((r) => ({
        kind: r.kind,
        body: r.body,
        diff: r.diff,
        ticketId: r.ticketId,
        actor: SYSTEM_ACTOR,
      })),
    );
  }

  /**
   * One job per (ticket, metric, clock version, action): its key gives a stable job id, so a
   * retried transaction leaves one job. Jobs of versions a later change in the same work replaced
   * are left out. A timer that ran early (clock skew) is owed again under a key of its own.
   */
  private jobsFor(
    ticketId: string | number,
    work: SlaWork,
    /** The timer jobs being handled for this ticket (one, or several in a batch). */
    running: readonly (SlaTimerData & { jobId: string })[],
  ): JobSpec[] {
    // Jobs wait in real time: translate the SLA clock's instants (the same thing unless a test moved the clock).
    const offsetMs = Date.now() - this.now();
    const specs = new Map<string, JobSpec>();
    // One job per clock version and instant: the first job due does everything due by then. The
    // breach (then the lowest action index) stands for its instant, so a firing scheduled again
    // gets the key it had the first time.
    const instants = new Set<string>();
    const order = (x: SlaScheduledFiring) => x.actionIndex ?? -1;
    const scheduled = [...liveScheduled(work)].sort(
      (a, b) =>
        a.metric.localeCompare(b.metric) ||
        a.clockVersion - b.clockVersion ||
        a.fireAt.localeCompare(b.fireAt) ||
        order(a) - order(b),
    );
    for (const s of scheduled) {
      const instant = `${s.metric}:${s.clockVersion}:${s.fireAt}`;
      if (instants.has(instant)) continue;
      instants.add(instant);
      const owedTo = running.find(
        (t) => t.metric === s.metric && t.version === s.clockVersion && t.actionIndex === s.actionIndex,
      );
      const base = `sla:${ticketId}:${s.metric}:${s.clockVersion}:${s.actionIndex ?? 'breach'}`;
      const key = owedTo ? `${base}:after:${owedTo.jobId}` : base;
      const fireMs = Date.parse(s.fireAt) + offsetMs;
      specs.set(key, {
        queue: SLA_TIMER_QUEUE,
        key,
        startAfter: new Date(owedTo ? Math.max(fireMs, Date.now() + 100) : fireMs),
        data: {
          ticketId: String(ticketId),
          metric: s.metric,
          version: s.clockVersion,
          actionIndex: s.actionIndex,
        },
      });
    }
    return [...specs.values()];
  }
}

/** The timers of a work still due: those of clock versions no later change in the same work replaced. */
const liveScheduled = (work: SlaWork): SlaScheduledFiring[] =>
  work.scheduled.filter((s) => work.state?.clocks[s.metric]?.version === s.clockVersion);

/** The policy a ticket's facts select (the catalog keeps policies with sorted keys, as stored copies are compared). */
const policyFor = (setup: SlaSetup, facts: SlaTicketFacts): SlaPolicy | null =>
  selectPolicy(setup.policies, facts);

const policyIdOf = (state: SlaState): number | null => (state.policy ? Number(state.policy.id) : null);

/**
 * Ticket fields a policy condition reads (template, category and customer tier do not change).
 * The team is not among a policy's facts (SlaTicketFacts): a workflow step that hands the ticket
 * to another team leaves its clocks alone.
 */
const POLICY_FACTS = ['priority', 'status', 'orgUnitId', 'formData', 'channel'];

/**
 * The clock events a change of ticket fields ({field: {from, to}}) means: status (its category
 * and named status after the change) and priority.
 */
export function slaEventsOf(
  diff: Diff,
  after: { status: StatusCategory; status_name: string | null },
): SlaTicketEvent[] {
  const events: SlaTicketEvent[] = [];
  if (diff.status || diff.statusName)
    events.push({ type: 'status_changed', category: after.status, status: after.status_name });
  if (diff.priority) events.push({ type: 'priority_changed', priority: diff.priority.to as Priority });
  return events;
}
