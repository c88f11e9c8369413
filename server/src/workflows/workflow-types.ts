import type { Channel, TemplateContent } from '@docket/core';
import type { Effect, InstanceState } from '@docket/engine';

export const TIMER_QUEUE = 'workflow-timer';
export const OUTBOUND_QUEUE = 'workflow-outbound';
export const EVENT_QUEUE = 'workflow-event';
export const WORKFLOW_QUEUES = [TIMER_QUEUE, OUTBOUND_QUEUE, EVENT_QUEUE];

export type InstanceRow = {
  id: string;
  ticket_id: string | null;
  parent_instance_id: string | null;
  parent_reply: { name: string; key: string } | null;
  workflow_version_id: number;
  status: InstanceState['status'];
  state: InstanceState;
  seq: number;
};

/** Who caused a change: a staff member through a channel, or Docket itself. */
export type Cause = { userId: number | null; channel: Channel };
export const SYSTEM_CAUSE: Cause = { userId: null, channel: 'system' };

/** The template version a ticket was created from, as its workflow needs it. */
export type PinnedTemplate = { templateVersionId: number; templateKey: string; content: TemplateContent };

/** A new ticket's workflow run to its first wait, planned in memory (see WorkflowRuntime.planStart). */
export type WorkflowStartPlan = {
  instance: InstanceRow;
  effects: Effect[];
};

/** See WorkflowRuntime.startShape. */
export type StartShape = { readsTicketIdentity: boolean };

/** A task's row id: the engine's task id, which starts with its instance id and so is unique everywhere. */
export const taskKey = (instanceId: string, taskId: string): string =>
  taskId.startsWith(instanceId) ? taskId : `${instanceId}:${taskId}`;

/** The engine's id of a task from its row id (the inverse of taskKey). */
export const engineTaskId = (instanceId: string, rowId: string): string =>
  rowId.startsWith(`${instanceId}:`) ? rowId.slice(instanceId.length + 1) : rowId;
