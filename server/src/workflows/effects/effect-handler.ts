import type { EntityManager, JobSpec } from '@docket/db';
import type { CoreEffect, Effect } from '@docket/engine';
import { Registry } from '../../extensions/registry.ts';
import type { Notice } from '../../notifications/notifier.ts';
import type { ResolvedAssignee } from '../../org/assignees.ts';
import type { AuditEntry, TicketFields } from '../../tickets/ticket-store.ts';
import type { Cause, InstanceRow } from '../workflow-types.ts';

/** Where an effect that changes only its ticket's own fields and trail writes (see EffectHandler.fold). */
export type TicketDraftChange = {
  fields: TicketFields;
  custom: Record<string, unknown>;
  audit(entry: AuditEntry): void;
};

/**
 * What applying an effect works with, inside the transaction of the event that produced it. The
 * ticket's field changes, audit entries, notices and jobs are gathered and written once, when
 * every effect of the event has been applied.
 */
export type EffectContext = TicketDraftChange & {
  tx: EntityManager;
  instance: InstanceRow;
  cause: Cause;
  ticketId: string | null;
  /** The ticket's requester and assignee (read once, the first time a handler asks). */
  ticket(): Promise<{ requester_id: number | null; assignee_id: number | null } | null>;
  /** The ticket follows its open work: whoever must act on it sees it. */
  route(assignee: ResolvedAssignee): void;
  notify(notice: Notice): void;
  enqueue(job: JobSpec): void;
  now(): number;
};

/**
 * How the server applies one kind of effect. The core kinds are registered when the app is
 * built; a plugin's node types bring handlers for their own (namespaced) kinds.
 */
export type EffectHandler<E = Effect> = {
  /**
   * Present when the effect changes only its ticket's own fields and audit trail: then a new
   * ticket's run made of such effects is folded into the statement that writes the ticket.
   */
  fold?(effect: E, into: TicketDraftChange): void;
  apply(ctx: EffectContext, effect: E): Promise<void>;
};

export type EffectHandlerRegistry = Registry<EffectHandler>;

export const createEffectHandlerRegistry = (): EffectHandlerRegistry =>
  new Registry<EffectHandler>('Effect handler');

/** A handler of one core effect kind, typed by its kind. */
export const coreEffect = <K extends CoreEffect['type']>(
  _type: K,
  handler: EffectHandler<Extract<CoreEffect, { type: K }>>,
): EffectHandler => handler as EffectHandler;

/** An effect that only folds into its ticket applies by folding into the event's change. */
export const foldOnly = <E>(fold: (effect: E, into: TicketDraftChange) => void): EffectHandler<E> => ({
  fold,
  apply: async (ctx, effect) => fold(effect, ctx),
});
