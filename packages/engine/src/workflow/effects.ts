import type { AssigneeRule, HumanAction, Recipient } from '@docket/core';
import type { TaskOrigin, TimerPurpose } from './instance-state.ts';

/**
 * What the caller must do after a step, as plain data. Every effect carries the key of the step
 * that produced it; calls to the outside world also carry an idempotency key, the same on every
 * retry of that call, so the receiver can drop duplicates.
 */
export type Effect = EffectDraft & { stepKey: string };

export type EffectDraft = CoreEffectDraft | ExtensionEffectDraft;

/**
 * An effect of a node type defined outside the core (a plugin's): a namespaced type
 * ("parcel.lookup") and plain data. The server applies it with the handler registered for its
 * type, as it applies the core ones.
 */
export type ExtensionEffectDraft = { type: `${string}.${string}`; [key: string]: unknown };

/** The effects the core node types produce. */
export type CoreEffectDraft =
  | {
      type: 'create_task';
      taskId: string;
      nodeId: string;
      tokenId: string;
      title: string;
      assignee: AssigneeRule;
      cc: Recipient[];
      formSchema: Record<string, unknown>;
      uiSchema?: Record<string, unknown>;
      actions: HumanAction[];
      dueAt?: string;
      origin?: TaskOrigin;
    }
  | {
      type: 'close_task';
      taskId: string;
      /** The human step the task belongs to (its output is recorded under this node). */
      nodeId: string;
      outcome: 'completed' | 'returned' | 'rejected' | 'cancelled';
      actor?: string;
      reason?: string;
    }
  | { type: 'transfer_task'; taskId: string; assignee: AssigneeRule; reason: string; actor?: string }
  | { type: 'step_overdue'; taskId: string; nodeId: string }
  | { type: 'schedule_timer'; timerId: string; version: number; dueAt: string; purpose: TimerPurpose }
  | { type: 'cancel_timer'; timerId: string; version: number }
  | {
      type: 'notify';
      idempotencyKey: string;
      channel: string;
      recipients: Recipient[];
      subject?: string;
      body: string;
    }
  | {
      type: 'http_request';
      idempotencyKey: string;
      attempt: number;
      method: string;
      url: string;
      headers: Record<string, string>;
      body?: unknown;
      timeoutMs: number;
      /** Report the outcome as an outside event with this name and key. */
      reply: { name: string; key: string };
    }
  | {
      type: 'start_sub_workflow';
      idempotencyKey: string;
      workflowId: string;
      version?: number;
      input: Record<string, unknown>;
      /** When the parent waits: report the child's end as an outside event with this name and key. */
      reply?: { name: string; key: string };
    }
  | { type: 'set_ticket_fields'; fields: Record<string, unknown> }
  | { type: 'assign_ticket'; assignee: AssigneeRule }
  | { type: 'end_instance'; status: 'solved' | 'closed'; statusName?: string; nodeId: string }
  | { type: 'instance_failed'; nodeId: string; tokenId: string; error: string };

export type EffectType = Effect['type'];
export type CoreEffect = CoreEffectDraft & { stepKey: string };

/** Outside events the engine itself asks for in its effects. */
export const HTTP_RESPONSE_EVENT = 'http_response';
export const SUB_WORKFLOW_ENDED_EVENT = 'sub_workflow_ended';
