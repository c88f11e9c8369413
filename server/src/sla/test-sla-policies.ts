import {
  fieldError,
  isPriority,
  type Principal,
  type Priority,
  policyApplies,
  type SlaPolicy,
  type SlaTicketFacts,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, OrgUnit } from '@docket/db';
import type { SlaClock } from '@docket/engine';
import { requireStaff } from '../access/policy.ts';
import { findVisibleTicket } from '../tickets/ticket-repository.ts';
import type { SlaCatalog } from './sla-catalog.ts';
import { readFacts } from './sla-repository.ts';
import { factsOf } from './sla-service.ts';

/** A ticket as the test panel describes it; every field optional (missing ones read as ""). */
export type DescribedTicket = {
  templateKey?: string | null;
  categoryPath?: string[] | null;
  priority?: string | null;
  customerTier?: string | null;
  channel?: string | null;
  orgUnitId?: number | null;
  form?: Record<string, unknown> | null;
};

export type SlaPolicyTest = {
  facts: SlaTicketFacts;
  /** Every active policy in the order tried, with whether its condition holds. */
  checked: { policy: SlaPolicy; applies: boolean }[];
  /** The first that holds: the one the ticket would be measured by. */
  policy: SlaPolicy | null;
  /** Its clocks as they would start at `at`: metric, target and due time. */
  clocks: SlaClock[];
  at: Date;
};

/**
 * Which SLA policy a ticket gets and when its targets fall due if it were created at `at`: for an
 * existing ticket the caller may see (by number) or a described one. Nothing is written.
 */
export async function testSlaPolicies(
  deps: { catalog: SlaCatalog },
  em: EntityManager,
  principal: Principal | null,
  input: { ticketNumber?: string | null; ticket?: DescribedTicket | null; at: Date },
): Promise<SlaPolicyTest> {
  requireStaff(principal, 'sla.manage');
  let facts: SlaTicketFacts;
  if (input.ticketNumber?.trim()) {
    const ticket = await findVisibleTicket(em, principal, { number: input.ticketNumber.trim() }).catch(() => {
      throw new ValidationFailed([
        fieldError('/ticketNumber', 'not_found', `There is no ticket ${input.ticketNumber} you may see.`),
      ]);
    });
    facts = factsOf(await readFacts(em, ticket.id)).facts;
  } else facts = await describedFacts(em, input.ticket ?? {});
  const setup = await deps.catalog.load(em);
  const checked = setup.policies.map((policy) => ({ policy, applies: policyApplies(policy, facts) }));
  const policy = checked.find((c) => c.applies)?.policy ?? null;
  const created = setup.engine.applySlaEvent(null, {
    type: 'ticket_created',
    at: input.at.toISOString(),
    priority: facts.priority ?? 'normal',
    policy,
  });
  const clocks = Object.values(created.state.clocks).filter((c): c is SlaClock => c !== undefined);
  return { facts, checked, policy, clocks, at: input.at };
}

async function describedFacts(em: EntityManager, t: DescribedTicket): Promise<SlaTicketFacts> {
  const errors = [];
  const priority: Priority = t.priority ? (t.priority as Priority) : 'normal';
  if (!isPriority(priority))
    errors.push(fieldError('/ticket/priority', 'invalid', 'The priority is urgent, high, normal or low.'));
  const unit = t.orgUnitId != null ? await em.findOne(OrgUnit, t.orgUnitId) : null;
  if (t.orgUnitId != null && !unit)
    errors.push(fieldError('/ticket/orgUnitId', 'not_found', `Org unit ${t.orgUnitId} does not exist.`));
  if (errors.length) throw new ValidationFailed(errors, 'No test: fix the fields listed.');
  const categoryPath = (t.categoryPath ?? []).map((s) => s.trim()).filter(Boolean);
  return {
    template: t.templateKey ?? '',
    category: categoryPath.join('/'),
    categoryPath,
    priority,
    customerTier: t.customerTier ?? '',
    channel: t.channel ?? '',
    orgUnitPath: unit?.path ?? '',
    form: t.form ?? {},
  };
}
