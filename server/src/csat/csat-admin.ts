import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import { CSAT_BAD_ACTIONS, CSAT_SCALES, type EntityManager } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import {
  type CsatBadAction,
  type CsatPolicyRow,
  type CsatScale,
  readCsatPolicy,
  saveCsatPolicy,
  templateIdOfKey,
} from './csat-repository.ts';

export type CsatPolicyInput = {
  templateKey: string;
  isEnabled?: boolean | null;
  scale?: string | null;
  onBad?: string | null;
  afterStep?: string | null;
  expiresInHours?: number | null;
};

const MAX_HOURS = 24 * 365;

async function templateOf(em: EntityManager, key: string): Promise<number> {
  const id = await templateIdOfKey(em, key);
  if (id === null) throw new NotFoundError(`Template "${key}"`, '/templateKey');
  return id;
}

/** A template's satisfaction settings (null: its tickets are not rated). Needs template.manage. */
export async function csatPolicy(
  em: EntityManager,
  principal: Principal | null,
  templateKey: string,
): Promise<CsatPolicyRow | null> {
  requireStaff(principal, 'template.manage');
  return (await readCsatPolicy(em, await templateOf(em, templateKey))) ?? null;
}

/** Sets how a template's tickets are rated; fields left out keep their value (or the default). Needs template.manage. */
export async function setCsatPolicy(
  em: EntityManager,
  principal: Principal | null,
  input: CsatPolicyInput,
): Promise<CsatPolicyRow> {
  requireStaff(principal, 'template.manage');
  const templateId = await templateOf(em, input.templateKey);
  const before = await readCsatPolicy(em, templateId);
  const errors = [];
  if (input.scale != null && !(CSAT_SCALES as readonly string[]).includes(input.scale))
    errors.push(fieldError('/scale', 'unknown', `The scale is one of ${CSAT_SCALES.join(', ')}.`));
  if (input.onBad != null && !(CSAT_BAD_ACTIONS as readonly string[]).includes(input.onBad))
    errors.push(
      fieldError('/onBad', 'unknown', `What a bad rating does is one of ${CSAT_BAD_ACTIONS.join(', ')}.`),
    );
  if (
    input.expiresInHours != null &&
    (!Number.isInteger(input.expiresInHours) || input.expiresInHours < 1 || input.expiresInHours > MAX_HOURS)
  )
    errors.push(
      fieldError('/expiresInHours', 'out_of_range', `A rating link lives 1 to ${MAX_HOURS} hours.`),
    );
  if (input.afterStep != null && input.afterStep.trim() === '')
    errors.push(
      fieldError('/afterStep', 'blank', 'Name the follow-up step by its node id, or leave it out.'),
    );
  if (errors.length) throw new ValidationFailed(errors);
  return saveCsatPolicy(em, {
    template_id: templateId,
    is_enabled: input.isEnabled ?? before?.is_enabled ?? true,
    scale: (input.scale as CsatScale | null) ?? before?.scale ?? 'five',
    on_bad: (input.onBad as CsatBadAction | null) ?? before?.on_bad ?? 'nothing',
    after_step:
      input.afterStep === undefined ? (before?.after_step ?? null) : (input.afterStep?.trim() ?? null),
    expires_in_hours: input.expiresInHours ?? before?.expires_in_hours ?? 168,
  });
}
