import {
  type FieldError,
  type FollowUpConfig,
  fieldError,
  followUpNode,
  type HumanStepConfig,
  humanStepNode,
  validateFormData,
} from '@docket/core';
import { dueAfter } from '../clock.ts';
import {
  defineExecutor,
  type ExecutorContext,
  type ResumeSignal,
  type StepResult,
} from '../define-executor.ts';

/*
 * A human step waits on a task. Its assignee completes it (with the step's form), transfers it to
 * someone else, returns the ticket to the previous human step, or rejects a misrouted ticket back to
 * its dispatcher step. Each action except complete needs a reason.
 */

type HumanConfig = HumanStepConfig | FollowUpConfig;

function enter(ctx: ExecutorContext<HumanConfig>): StepResult {
  const c = ctx.config;
  let timeLimitDueAt: number | undefined;
  if (c.timeLimit) {
    const { time, calendarId } = c.timeLimit;
    const due = dueAfter({ clock: ctx.clock, now: ctx.now, duration: c.timeLimit, time, calendarId });
    if (typeof due === 'string') return { kind: 'fail', error: due };
    timeLimitDueAt = due;
  }
  const assignee = ctx.arrival?.assignee ?? c.assignee;
  return {
    kind: 'wait',
    input: { assignee, ...(ctx.arrival ? { arrival: ctx.arrival } : {}) },
    wait: {
      kind: 'task',
      task: {
        title: c.title,
        assignee,
        cc: c.cc ?? [],
        formSchema: c.formSchema,
        ...(c.uiSchema ? { uiSchema: c.uiSchema } : {}),
        actions: c.actions,
        ...(ctx.arrival
          ? {
              origin: {
                action: ctx.arrival.action,
                fromNodeId: ctx.arrival.fromNodeId,
                reason: ctx.arrival.reason,
                ...(ctx.arrival.actor ? { actor: ctx.arrival.actor } : {}),
              },
            }
          : {}),
      },
      ...(timeLimitDueAt === undefined ? {} : { timeLimitDueAt }),
    },
  };
}

const refuse = (path: string, code: string, message: string): StepResult => ({
  kind: 'refuse',
  errors: [fieldError(path, code, message)],
});

function act(ctx: ExecutorContext<HumanConfig>, signal: ResumeSignal): StepResult {
  if (signal.kind === 'timer') {
    // the step's time limit passed: tell the caller; the task stays open
    return {
      kind: 'stay',
      task: { isOverdue: true },
      event: { overdue: signal.timer.dueAt },
      effects: [
        {
          type: 'step_overdue',
          taskId: ctx.token.wait?.kind === 'task' ? ctx.token.wait.taskId : '',
          nodeId: ctx.node.id,
        },
      ],
    };
  }
  if (signal.kind !== 'human_action')
    return refuse('/type', 'unexpected_event', 'A human step waits for its task.');
  const e = signal.event;
  if (!ctx.config.actions.includes(e.action))
    return refuse(
      '/action',
      'action_not_allowed',
      `This step does not allow "${e.action}" (it allows ${ctx.config.actions.join(', ')}).`,
    );
  if (e.action !== 'complete' && (typeof e.reason !== 'string' || e.reason.trim() === ''))
    return refuse('/reason', 'reason_required', `Say why you ${e.action} this ticket.`);
  const actor = e.actor ? { actor: e.actor } : {};
  switch (e.action) {
    case 'complete': {
      const output = e.output ?? {};
      const errors: FieldError[] = validateFormData(ctx.config.formSchema, output, '/output');
      if (errors.length > 0) return { kind: 'refuse', errors };
      return { kind: 'next', output };
    }
    case 'transfer':
      return {
        kind: 'stay',
        task: { assignee: e.to },
        event: { action: 'transfer', to: e.to, reason: e.reason, ...actor },
        effects: [
          { type: 'transfer_task', taskId: signal.task.taskId, assignee: e.to, reason: e.reason, ...actor },
        ],
      };
    case 'return':
    case 'reject': {
      const target = backTarget(ctx, e.action);
      if (typeof target === 'string') return refuse('/action', `cannot_${e.action}`, target);
      return {
        kind: 'move',
        to: target.nodeId,
        outcome: e.action === 'return' ? 'returned' : 'rejected',
        event: { action: e.action, to: target.nodeId, reason: e.reason, ...actor },
        arrival: {
          action: e.action,
          fromNodeId: ctx.node.id,
          reason: e.reason,
          ...actor,
          ...(target.completedBy ? { assignee: { kind: 'user', userId: target.completedBy } } : {}),
        },
      };
    }
  }
}

/**
 * Where a return or reject leads: the previous human step this token completed (for reject, the
 * configured dispatcher step when there is one), never across a parallel split.
 */
function backTarget(
  ctx: ExecutorContext<HumanConfig>,
  action: 'return' | 'reject',
): { nodeId: string; completedBy?: string } | string {
  const history = ctx.token.history;
  const frameKey = ctx.token.frames.join('/');
  const wanted = action === 'reject' ? ctx.config.rejectTo : undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i];
    if (!h) continue;
    if (wanted !== undefined && h.nodeId !== wanted) continue;
    if (h.frameKey !== frameKey)
      return `The step to go back to ("${h.nodeId}") is outside this parallel branch; ${action} is not possible here.`;
    return { nodeId: h.nodeId, ...(h.completedBy ? { completedBy: h.completedBy } : {}) };
  }
  if (wanted !== undefined)
    return `This ticket has not passed the dispatcher step "${wanted}", so it cannot be rejected back to it.`;
  return action === 'return'
    ? 'There is no earlier human step to return this ticket to.'
    : 'There is no earlier human step (dispatcher) to reject this ticket back to.';
}

export const humanStepExecutor = defineExecutor(humanStepNode, { run: enter, resume: act });

export const followUpExecutor = defineExecutor(followUpNode, {
  run(ctx) {
    // a follow-up visit happens only when its condition holds; a return to it always re-opens it
    if (!ctx.arrival) {
      const holds = ctx.cel('/when');
      if (typeof holds !== 'boolean')
        return {
          kind: 'fail',
          error: `The condition "${ctx.config.when}" gave ${JSON.stringify(holds)}, not true or false.`,
        };
      if (!holds) return { kind: 'next', input: { when: false }, output: undefined };
    }
    return enter(ctx);
  },
  resume: act,
});
