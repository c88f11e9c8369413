import {
  type AssigneeRule,
  checkSlaPolicy,
  type FieldError,
  fieldError,
  type Principal,
  SLA_METRICS,
  type SlaAction,
  ValidationFailed,
} from '@docket/core';
import {
  BusinessCalendar,
  type EntityManager,
  LockMode,
  SlaPolicy,
  type SlaPolicyDefinition,
  TicketStatus,
} from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { diffOf, flushAudited, recordAdminChange } from '../audit/admin-audit.ts';
import { NotFoundError } from '../errors.ts';
import { idOf } from '../org/assignees.ts';
import type { Services } from '../services.ts';

/**
 * SLA policies as admins edit them. The input's fields are the policy's fields (the calendar named
 * by its key), so each error's JSON pointer names an input field: /targets/resolution/urgent/amount.
 */
export type SlaPolicyInput = {
  name: string;
  position: number;
  condition?: string | null;
  calendarKey?: string | null;
  pauseStatuses?: string[] | null;
  targets: unknown;
  actions?: unknown;
  isActive?: boolean | null;
};

/** Policies in the order they are tried (position, then id). */
export async function listSlaPolicies(
  em: EntityManager,
  principal: Principal | null,
  includeInactive: boolean,
): Promise<SlaPolicy[]> {
  requireStaff(principal);
  return em.find(SlaPolicy, includeInactive ? {} : { isActive: true }, {
    orderBy: { position: 'asc', id: 'asc' },
  });
}

const isNumeric = (s: string): boolean => /^[0-9]{1,9}$/.test(s);

const ASSIGNEE_TABLE = { user: 'app_user', team: 'team', role: 'role', org_unit: 'org_unit' } as const;
const ASSIGNEE_FIELD = { user: 'userId', team: 'teamId', role: 'roleId', org_unit: 'orgUnitId' } as const;

/** The people and places a structurally valid policy names must exist. */
async function checkReferences(
  em: EntityManager,
  actions: Record<string, SlaAction[]>,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const metric of SLA_METRICS)
    for (const [i, action] of (actions[metric] ?? []).entries()) {
      const at = `/actions/${metric}/${i}`;
      if (action.kind === 'notify')
        for (const [j, r] of action.recipients.entries())
          if (r.kind === 'user' && (await idOf(em, 'app_user', r.id)) === null)
            errors.push(
              fieldError(
                `${at}/recipients/${j}/id`,
                'not_found',
                `No active user "${r.id}"; name a user by id or email.`,
              ),
            );
      if (action.kind === 'reassign') {
        const rule: AssigneeRule = action.to;
        const field = ASSIGNEE_FIELD[rule.kind];
        const ref = String((rule as Record<string, unknown>)[field]);
        if ((await idOf(em, ASSIGNEE_TABLE[rule.kind], ref)) === null)
          errors.push(
            fieldError(
              `${at}/to/${field}`,
              'not_found',
              `No ${rule.kind.replace('_', ' ')} "${ref}" exists; name it by id${rule.kind === 'user' ? ' or email' : ' or name'}.`,
            ),
          );
      }
    }
  return errors;
}

/** Checks the input as a policy; gives the definition to store, or throws every problem with its pointer. */
async function definitionOf(
  em: EntityManager,
  input: SlaPolicyInput,
  id: string,
): Promise<SlaPolicyDefinition> {
  const calendarKeys = (await em.find(BusinessCalendar, {}, { fields: ['key'] })).map((c) => c.key);
  const policy = {
    id,
    name: input.name,
    position: input.position,
    condition: input.condition ?? '',
    ...(input.calendarKey != null ? { calendarId: input.calendarKey } : {}),
    pauseStatuses: input.pauseStatuses ?? [],
    targets: input.targets ?? {},
    actions: input.actions ?? {},
  };
  let errors = checkSlaPolicy(policy, { calendarIds: calendarKeys }).map((e) =>
    e.path === '/calendarId'
      ? {
          ...e,
          path: '/calendarKey',
          message: e.message.replace('There is no calendar', 'There is no calendar with key'),
        }
      : e,
  );
  if (errors.length === 0) errors = await checkReferences(em, policy.actions as Record<string, SlaAction[]>);
  if (errors.length === 0 && policy.pauseStatuses.length > 0) {
    const names = new Set((await em.find(TicketStatus, {}, { fields: ['name'] })).map((s) => s.name));
    policy.pauseStatuses.forEach((name, i) => {
      if (!names.has(name))
        errors.push(
          fieldError(
            `/pauseStatuses/${i}`,
            'not_found',
            `There is no status named "${name}"; name one of ticketStatuses (create it first with createTicketStatus).`,
          ),
        );
    });
  }
  if (errors.length)
    throw new ValidationFailed(errors, 'The SLA policy was not saved: fix the fields listed.');
  return {
    condition: policy.condition,
    ...(policy.calendarId ? { calendarId: policy.calendarId } : {}),
    pauseStatuses: policy.pauseStatuses,
    targets: policy.targets as SlaPolicyDefinition['targets'],
    actions: policy.actions as SlaPolicyDefinition['actions'],
  };
}

/** What the audit trail compares before and after a change of a policy. */
const policySnapshot = (policy: SlaPolicy): Record<string, unknown> => ({
  name: policy.name,
  position: policy.position,
  isActive: policy.isActive,
  ...policy.definition,
});

export async function createSlaPolicy(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  input: SlaPolicyInput,
): Promise<SlaPolicy> {
  requireStaff(principal, 'sla.manage');
  const definition = await definitionOf(em, input, 'new');
  const policy = em.create(SlaPolicy, {
    name: input.name.trim(),
    position: input.position,
    definition,
    isActive: input.isActive ?? true,
  });
  await flushAudited(em, principal, () => ({
    action: 'create',
    entityType: 'sla_policy',
    entityId: policy.id,
    entityName: policy.name,
    diff: diffOf({}, policySnapshot(policy)),
  }));
  services.sla.catalog.invalidate();
  return policy;
}

/**
 * Replaces a policy (its order and whether it is active included). Tickets already under it keep
 * their copy until their next change, when the policy is selected again and their clocks
 * re-target (history keeps the old due time).
 */
export async function updateSlaPolicy(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  id: string | number,
  input: SlaPolicyInput,
): Promise<SlaPolicy> {
  requireStaff(principal, 'sla.manage');
  const policy = await em.transactional(async (tx) => {
    const policy = isNumeric(String(id))
      ? await tx.findOne(SlaPolicy, Number(id), { lockMode: LockMode.PESSIMISTIC_WRITE })
      : null;
    if (!policy) throw new NotFoundError(`SLA policy ${id}`, '/id');
    const before = policySnapshot(policy);
    policy.definition = await definitionOf(tx, input, String(policy.id));
    policy.name = input.name.trim();
    policy.position = input.position;
    policy.isActive = input.isActive ?? policy.isActive;
    policy.updatedAt = new Date();
    const diff = diffOf(before, policySnapshot(policy));
    if (diff)
      recordAdminChange(tx, principal, {
        action: 'update',
        entityType: 'sla_policy',
        entityId: policy.id,
        entityName: policy.name,
        diff,
      });
    return policy;
  });
  services.sla.catalog.invalidate();
  return policy;
}

/**
 * Puts the policies in the order given (positions 10, 20, ...): every policy, active or not, must
 * be listed once. One transaction; each policy whose position changes is in the audit trail.
 */
export async function reorderSlaPolicies(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  ids: readonly (string | number)[],
): Promise<SlaPolicy[]> {
  requireStaff(principal, 'sla.manage');
  const policies = await em.transactional(async (tx) => {
    const all = await tx.find(
      SlaPolicy,
      {},
      { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
    );
    const byId = new Map(all.map((p) => [String(p.id), p]));
    const seen = new Set<string>();
    const errors: FieldError[] = [];
    ids.forEach((id, i) => {
      const key = String(id);
      if (!byId.has(key))
        errors.push(fieldError(`/ids/${i}`, 'not_found', `SLA policy ${key} does not exist.`));
      else if (seen.has(key))
        errors.push(fieldError(`/ids/${i}`, 'duplicate', `SLA policy ${key} is listed twice.`));
      seen.add(key);
    });
    const missing = all.filter((p) => !seen.has(String(p.id)));
    if (missing.length)
      errors.push(
        fieldError(
          '/ids',
          'incomplete',
          `List every policy once; missing: ${missing.map((p) => `${p.name} (${p.id})`).join(', ')}.`,
        ),
      );
    if (errors.length) throw new ValidationFailed(errors, 'The order was not saved: fix the fields listed.');
    return ids.map((id, i) => {
      const policy = byId.get(String(id))!;
      const position = (i + 1) * 10;
      if (policy.position !== position) {
        recordAdminChange(tx, principal, {
          action: 'update',
          entityType: 'sla_policy',
          entityId: policy.id,
          entityName: policy.name,
          diff: { position: { from: policy.position, to: position } },
        });
        policy.position = position;
        policy.updatedAt = new Date();
      }
      return policy;
    });
  });
  services.sla.catalog.invalidate();
  return policies;
}
