import { fieldError, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import type { CsatRatingRow } from './csat-repository.ts';
import type { CsatService, RatingLinkProblem } from './csat-service.ts';

export const PROBLEM_MESSAGES: Record<RatingLinkProblem, string> = {
  forged: 'This rating link is not one Docket sent.',
  used: 'This ticket has already been rated through this link.',
  expired: 'This rating link has expired.',
};

/** rateTicket: a refused link is an error at /token that names why. */
export async function rateThroughLink(
  em: EntityManager,
  csat: CsatService,
  input: { token: string; score: number; comment?: string | null },
): Promise<CsatRatingRow> {
  const result = await csat.rate(em, input.token, input);
  if (result.kind === 'refused')
    throw new ValidationFailed([fieldError('/token', result.problem, PROBLEM_MESSAGES[result.problem])]);
  return result.rating;
}
