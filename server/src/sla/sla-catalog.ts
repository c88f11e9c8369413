import {
  type BusinessCalendar,
  type CalendarDefinition,
  createCalendar,
  type SlaActions,
  type SlaPolicy,
  type SlaTargets,
} from '@docket/core';
import { type EntityManager, query } from '@docket/db';
import { createSlaEngine, type SlaEngine } from '@docket/engine';

/** A policy as stored: the columns hold id, name and position; the rest is one JSON document. */
export type SlaPolicyDefinition = {
  condition: string;
  /** The business calendar's key, when targets count business time. */
  calendarId?: string;
  pauseStatuses: string[];
  targets: SlaTargets;
  actions: SlaActions;
};

export type SlaPolicyRow = {
  id: number;
  name: string;
  position: number;
  definition: SlaPolicyDefinition;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
};

export type BusinessCalendarRow = {
  id: number;
  key: string;
  name: string;
  definition: CalendarDefinition;
  created_at: Date;
  updated_at: Date;
};

/**
 * A copy with object keys sorted. jsonb reorders keys, and the SLA engine compares policies (and
 * their actions) as JSON text: both sides must be in one order.
 */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) return value.map(canonical) as T;
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out as T;
}

/** The policy the SLA engine works with (its id is the row id as text). */
export const policyOf = (row: Pick<SlaPolicyRow, 'id' | 'name' | 'position' | 'definition'>): SlaPolicy => ({
  id: String(row.id),
  name: row.name,
  position: row.position,
  condition: row.definition.condition,
  ...(row.definition.calendarId ? { calendarId: row.definition.calendarId } : {}),
  pauseStatuses: row.definition.pauseStatuses ?? [],
  targets: row.definition.targets ?? {},
  actions: row.definition.actions ?? {},
});

/** What the SLA hooks need: the active policies in order, and an engine that knows every calendar (in the order they were created). */
export type SlaSetup = {
  policies: SlaPolicy[];
  calendars: ReadonlyMap<string, BusinessCalendar>;
  engine: SlaEngine;
};

/** A read of the catalog, with the stored text of each calendar (by key) and policy. */
type Compiled = {
  setup: SlaSetup;
  calendars: Map<string, { text: string; calendar: BusinessCalendar }>;
  policies: Map<string, SlaPolicy>;
};

const TTL_MS = 2_000;
/** How long before its expiry a busy cache is read again. */
const REFRESH_AHEAD_MS = 500;

/**
 * Policies and calendars change rarely and every ticket change reads them: they are cached. A
 * change in this process clears the cache at once; other processes see it within two seconds.
 * A miss reads through the caller's own entity manager and nobody waits on another caller's read:
 * a transaction holding a pooled connection must never wait for a read that needs another one
 * (with the pool full, that is a deadlock). While callers keep coming, the cache is read again
 * ahead of its expiry, once, on a connection of its own that nobody waits for: busy callers (a
 * group of step transactions) never all miss at the same moment and read it inside their
 * transactions.
 */
export class SlaCatalog {
  private cached: { setup: SlaSetup; until: number } | undefined;
  private generation = 0;
  private isRefreshing = false;
  /** The last read's calendars and policies by their stored text, reused while they stay the same. */
  private compiled: Compiled | undefined;

  async load(em: EntityManager): Promise<SlaSetup> {
    const now = Date.now();
    if (this.cached && this.cached.until > now) {
      if (this.cached.until - now < REFRESH_AHEAD_MS && !this.isRefreshing) this.refresh(em);
      return this.cached.setup;
    }
    const generation = this.generation;
    const until = now + TTL_MS;
    const setup = await this.read(em);
    // A change made while this read ran may not be in it: keep it only if nothing was invalidated.
    if (generation === this.generation) this.cached = { setup, until };
    return setup;
  }

  invalidate(): void {
    this.generation++;
    this.cached = undefined;
  }

  /** Reads the catalog again outside the caller's transaction (a fork has none); nobody awaits it. */
  private refresh(em: EntityManager): void {
    this.isRefreshing = true;
    const generation = this.generation;
    const until = Date.now() + TTL_MS;
    this.read(em.fork())
      .then((setup) => {
        if (generation === this.generation) this.cached = { setup, until };
      })
      // A failed refresh leaves the cache to expire: the next caller then reads through.
      .catch(() => {})
      .finally(() => {
        this.isRefreshing = false;
      });
  }

  private async read(em: EntityManager): Promise<SlaSetup> {
    const [policyRows, calendarRows] = await Promise.all([
      query<SlaPolicyRow>(
        em,
        'select id, name, position, definition from sla_policy where is_active order by position, id',
      ),
      query<BusinessCalendarRow>(em, 'select key, definition from business_calendar order by id'),
    ]);
    // What did not change since the last read is kept as it was: a calendar keeps the time-zone
    // offsets and business days it has worked out, a policy its compiled condition.
    const known = this.compiled;
    const calendarTexts = new Map<string, { text: string; calendar: BusinessCalendar }>();
    let isSameCalendars = known !== undefined && known.calendars.size === calendarRows.length;
    for (const row of calendarRows) {
      const text = JSON.stringify(row.definition);
      const kept = known?.calendars.get(row.key);
      const calendar = kept?.text === text ? kept.calendar : createCalendar(row.definition);
      if (calendar !== kept?.calendar) isSameCalendars = false;
      calendarTexts.set(row.key, { text, calendar });
    }
    const policyTexts = new Map<string, SlaPolicy>();
    const policies = policyRows.map((row) => {
      const text = JSON.stringify([row.id, row.name, row.position, row.definition]);
      const policy = known?.policies.get(text) ?? canonical(policyOf(row));
      policyTexts.set(text, policy);
      return policy;
    });
    const calendars = new Map([...calendarTexts].map(([key, c]) => [key, c.calendar]));
    const setup: SlaSetup =
      isSameCalendars && known
        ? { policies, calendars: known.setup.calendars, engine: known.setup.engine }
        : { policies, calendars, engine: createSlaEngine({ calendars }) };
    this.compiled = { setup, calendars: calendarTexts, policies: policyTexts };
    return setup;
  }
}
