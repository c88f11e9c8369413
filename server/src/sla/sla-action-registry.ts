import type { Priority, SlaAction } from '@docket/core';
import type { EntityManager } from '@docket/db';
import type { SlaFiring } from '@docket/engine';
import { Registry } from '../extensions/registry.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { TicketStore } from '../tickets/ticket-store.ts';
import type { SlaAuditRow } from './sla-audit.ts';

/** The facts of a ticket an SLA action works with (read under the ticket's lock). */
export type SlaTicketFacts = {
  id: string | number;
  number: string;
  title: string;
  priority: Priority;
  requester_id: number | null;
  assignee_id: number | null;
  org_unit_id: number | null;
};

export type SlaActionResult = {
  audit: SlaAuditRow;
  /** The ticket's priority changed: the clocks must hear it. */
  priority?: Priority;
  /** Something a policy condition reads changed (org unit): select the policy again. */
  isFactChanged?: boolean;
};

/** What an SLA action runs with, inside the ticket's transaction (its row is locked). */
export type SlaActionContext = {
  tx: EntityManager;
  ticket: SlaTicketFacts;
  firing: SlaFiring;
  /** "10 min before the first response target", "at the resolution breach", … */
  moment: string;
  tickets: TicketStore;
  notifier: Notifier;
  /** Within a timer batch, notices wait to be written with the batch's. */
  defer?: (notice: Parameters<Notifier['send']>[1][number]) => void;
};

/**
 * One kind of SLA action: the core ones (notify, escalate, raise_priority, reassign) and those
 * plugins add (keyed "<plugin>/<action>", as a policy's `plugin` action names them).
 */
export type SlaActionKind = {
  title: string;
  /** Changes nothing on the ticket (a later action in the same batch need not read it again). */
  isReadOnly?: boolean;
  run(ctx: SlaActionContext, action: SlaAction): Promise<SlaActionResult>;
};

export type SlaActionRegistry = Registry<SlaActionKind>;

export const createSlaActionRegistry = (): SlaActionRegistry => new Registry<SlaActionKind>('SLA action');

/** The registry key of an action as a policy names it. */
export const slaActionKey = (action: SlaAction): string =>
  action.kind === 'plugin' ? `${action.plugin}/${action.action}` : action.kind;
