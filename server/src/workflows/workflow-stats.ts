import { fieldError, type Principal, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import {
  type NodeStatsRow,
  type RunningInstanceRow,
  runningInstancesOfVersion,
  workflowNodeStats,
} from './workflow-repository.ts';
import { loadWorkflow } from './workflow-service.ts';

/** The run overlay of a whole workflow: where its open instances wait, and how long each step takes. */
export type WorkflowStats = { workflowKey: string; from: Date; to: Date; nodes: NodeStatsRow[] };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Per node of the workflow named by key (all its versions): open instances waiting or failed
 * there now, and the p50 and p90 of the time steps there took, over steps that ended in
 * [from, to). The period is the last 30 days up to now unless given. Needs workflow.manage.
 */
export async function workflowStats(
  em: EntityManager,
  actor: Principal | null,
  input: { key: string; from?: Date | null; to?: Date | null; now?: Date },
): Promise<WorkflowStats> {
  requireStaff(actor, 'workflow.manage');
  const to = input.to ?? input.now ?? new Date();
  const from = input.from ?? new Date(to.getTime() - 30 * DAY_MS);
  if (from.getTime() >= to.getTime())
    throw new ValidationFailed([
      fieldError(
        '/from',
        'invalid_period',
        `The period starts (${from.toISOString()}) at or after it ends (${to.toISOString()}); pick a start before the end.`,
      ),
    ]);
  const workflow = await loadWorkflow(em, { key: input.key });
  return {
    workflowKey: workflow.key,
    from,
    to,
    nodes: await workflowNodeStats(em, { workflowId: workflow.id, from, to }),
  };
}

/** The waiting or failed instances of a workflow version (at most `first`, up to 500), oldest first. */
export function runningInstances(
  em: EntityManager,
  actor: Principal | null,
  input: { versionId: number; first: number },
): Promise<RunningInstanceRow[]> {
  requireStaff(actor, 'workflow.manage');
  return runningInstancesOfVersion(em, input.versionId, Math.max(1, Math.min(input.first, 500)));
}
