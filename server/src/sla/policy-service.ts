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
import { type EntityManager, query, queryOne } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import { idOf } from '../org/assignees.ts';
import type { Services } from '../services.ts';
import type { SlaPolicyDefinition, SlaPolicyRow } from './sla-catalog.ts';

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

const COLUMNS = 'id, name, position, definition, is_active, created_at, updated_at';

export async function listSlaPolicies(
  em: EntityManager,
  principal: Principal | null,
  includeInactive: boolean,
): Promise<SlaPolicyRow[]> {
  requireStaff(principal);
  return query<SlaPolicyRow>(
    em,
    `select ${COLUMNS} from sla_policy ${includeInactive ? '' : 'where is_active'} order by position, id`,
  );
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
  const calendarKeys = (await query<{ key: string }>(em, 'select key from business_calendar')).map(
    (r) => r.key,
  );
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
    const names = new Set(
      (await query<{ name: string }>(em, 'select name from ticket_status')).map((r) => r.name),
    );
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

export async function createSlaPolicy(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  input: SlaPolicyInput,
): Promise<SlaPolicyRow> {
  requireStaff(principal, 'sla.manage');
  const definition = await definitionOf(em, input, 'new');
  const row = await queryOne<SlaPolicyRow>(
    em,
    `insert into sla_policy (name, position, definition, is_active) values (?, ?, ?::jsonb, ?) returning ${COLUMNS}`,
    [input.name.trim(), input.position, JSON.stringify(definition), input.isActive ?? true],
  );
  services.sla.catalog.invalidate();
  return row!;
}

/**
 * Replaces a policy. Tickets already under it keep their copy until their next change, when the
 * policy is selected again and their clocks re-target (history keeps the old due time).
 */
export async function updateSlaPolicy(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  id: string | number,
  input: SlaPolicyInput,
): Promise<SlaPolicyRow> {
  requireStaff(principal, 'sla.manage');
  const row = await em.transactional(async (tx) => {
    const current = isNumeric(String(id))
      ? await queryOne<SlaPolicyRow>(tx, `select ${COLUMNS} from sla_policy where id = ? for update`, [
          Number(id),
        ])
      : undefined;
    if (!current) throw new NotFoundError(`SLA policy ${id}`, '/id');
    const definition = await definitionOf(tx, input, String(current.id));
    return (await queryOne<SlaPolicyRow>(
      tx,
      `update sla_policy set name = ?, position = ?, definition = ?::jsonb, is_active = ?, updated_at = now()
        where id = ? returning ${COLUMNS}`,
      [
        input.name.trim(),
        input.position,
        JSON.stringify(definition),
        input.isActive ?? current.is_active,
        current.id,
      ],
    ))!;
  });
  services.sla.catalog.invalidate();
  return row;
}
