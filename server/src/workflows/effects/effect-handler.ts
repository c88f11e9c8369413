import type { EntityManager, JobSpec } from '@docket/db';
import type { CoreEffect, Effect } from '@docket/engine';
import { Registry } from '../../extensions/registry.ts';
import type { Notice } from '../../notifications/notifier.ts';
import type { ResolvedAssignee } from '../../org/assignees.ts';
import type { AuditEntry, TicketFields } from '../../tickets/ticket-store.ts';
import type { NewCall, NewTask, TaskUpdate } from '../workflow-repository.ts';
import type { Cause, InstanceRow } from '../workflow-types.ts';

/**
 * The rows one workflow event writes besides its instance and its ticket: tasks, outbound calls,
 * notices and jobs. Effect handlers add to it; the runtime writes it when every effect of the event
 * has been applied (for a new ticket's first steps, in the statement that writes the ticket).
 */
export type StepWrites = {
  tasks: NewTask[];
  taskUpdates: TaskUpdate[];
  calls: NewCall[];
  notices: Notice[];
  jobs: JobSpec[];
};

export const emptyStepWrites = (): StepWrites => ({
  tasks: [],
  taskUpdates: [],
  calls: [],
  notices: [],
  jobs: [],
});

/**
 * What applying an effect works with, inside the transaction of the event that produced it (or
 * while a new ticket is planned, before it is written). Handlers read through `tx` and write only
 * into the context: the ticket's field changes and audit entries, and `writes`.
 */
export type EffectContext = {
  tx: EntityManager;
  instance: InstanceRow;
  cause: Cause;
  /** The ticket's id; null while a new ticket is planned (the statement writing it fills it in). */
  ticketId: string | null;
  fields: TicketFields;
  custom: Record<string, unknown>;
  audit(entry: AuditEntry): void;
  /**
   * The event's own entry on the trail: the ticket's field changes (the route) join its diff, so
   * one action reads as one entry (a transfer: from whom to whom and why).
   */
  ownEntry(entry: AuditEntry): void;
  /** The ticket's requester and assignee (read once, the first time a handler asks). */
  ticket(): Promise<{ requester_id: number | null; assignee_id: number | null } | null>;
  /** The ticket follows its open work: whoever must act on it sees it. */
  route(assignee: ResolvedAssignee): void;
  writes: StepWrites;
  now(): number;
};

/**
 * How the server applies one kind of effect. The core kinds are registered when the app is
 * built; a plugin's node types bring handlers for their own (namespaced) kinds.
 */
export type EffectHandler<E = Effect> = {
  apply(ctx: EffectContext, effect: E): Promise<void>;
  /** The effect needs its ticket stored first (it writes on its own): a new ticket's run then starts after the insert. */
  needsStoredTicket?: boolean;
};

export type EffectHandlerRegistry = Registry<EffectHandler>;

export const createEffectHandlerRegistry = (): EffectHandlerRegistry =>
  new Registry<EffectHandler>('Effect handler');

/** A handler of one core effect kind, typed by its kind. */
export const coreEffect = <K extends CoreEffect['type']>(
  _type: K,
  handler: EffectHandler<Extract<CoreEffect, { type: K }>>,
): EffectHandler => handler as EffectHandler;
