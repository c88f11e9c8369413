import type { EntityManager } from '@docket/db';
import { BatchLoader } from '../graphql/batch-loader.ts';
import { instancesOfTickets, tasksOf, versionsById, versionsOfWorkflows } from './workflow-repository.ts';

/** Per-request loaders of workflow data (tasks, instances, versions): one query per kind per request tick. */
export function createWorkflowLoaders(em: EntityManager) {
  return {
    tasksOfTicket: new BatchLoader((ids: string[]) => tasksOf(em, 'ticket_id', ids)),
    tasksOfInstance: new BatchLoader((ids: string[]) => tasksOf(em, 'instance_id', ids)),
    instancesOfTicket: new BatchLoader((ids: string[]) => instancesOfTickets(em, ids)),
    workflowVersion: new BatchLoader((ids: number[]) => versionsById(em, ids)),
    versionsOfWorkflow: new BatchLoader((ids: number[]) => versionsOfWorkflows(em, ids)),
  };
}
