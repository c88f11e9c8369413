import {
  conditionNode,
  endNode,
  escapePointerToken,
  parallelJoinNode,
  parallelSplitNode,
  startNode,
  subWorkflowNode,
  timerNode,
} from '@docket/core';
import { dueAfter } from '../clock.ts';
import { defineExecutor } from '../define-executor.ts';
import { SUB_WORKFLOW_ENDED_EVENT } from '../effects.ts';

export const startExecutor = defineExecutor(startNode, {
  run: () => ({ kind: 'next' }),
});

/** If / else-if / else: the first branch whose condition is true; else the else edge. */
export const conditionExecutor = defineExecutor(conditionNode, {
  run(ctx) {
    const evaluated: { branch: string; value: unknown }[] = [];
    for (const [i, branch] of ctx.config.branches.entries()) {
      const value = ctx.cel(`/branches/${i}/when`);
      evaluated.push({ branch: branch.id, value });
      if (typeof value !== 'boolean')
        return {
          kind: 'fail',
          input: { evaluated },
          error: `Branch "${branch.id}": "${branch.when}" gave ${JSON.stringify(value)}, not true or false.`,
        };
      if (value)
        return { kind: 'next', port: branch.id, input: { evaluated }, output: { branch: branch.id } };
    }
    return { kind: 'next', port: 'else', input: { evaluated }, output: { branch: 'else' } };
  },
});

export const parallelSplitExecutor = defineExecutor(parallelSplitNode, {
  run: () => ({ kind: 'split' }),
});

export const parallelJoinExecutor = defineExecutor(parallelJoinNode, {
  run: (ctx) => ({ kind: 'join', mode: ctx.config.mode }),
});

/** Waits a duration (business or calendar time) or until the date a field holds, plus an offset. */
export const timerExecutor = defineExecutor(timerNode, {
  run(ctx) {
    const c = ctx.config;
    let dueAt: number;
    if (c.mode === 'until') {
      const value = ctx.cel('/until');
      const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(ms))
        return {
          kind: 'fail',
          error: `"${c.until}" gave ${JSON.stringify(value)}, which is not a date and time.`,
        };
      dueAt = ms + (c.offsetMinutes ?? 0) * 60_000;
    } else {
      if (c.amount === undefined || c.unit === undefined)
        return { kind: 'fail', error: 'The timer has no duration.' };
      const due = dueAfter({
        clock: ctx.clock,
        now: ctx.now,
        duration: { amount: c.amount, unit: c.unit },
        time: c.time,
        calendarId: c.calendarId,
      });
      if (typeof due === 'string') return { kind: 'fail', error: due };
      dueAt = due;
    }
    const input = { dueAt: new Date(dueAt).toISOString() };
    // a date already past does not wait
    if (dueAt <= ctx.now) return { kind: 'next', input };
    return { kind: 'wait', input, wait: { kind: 'timer', dueAt } };
  },
  resume: (_ctx, signal) =>
    signal.kind === 'timer'
      ? { kind: 'next', output: undefined }
      : {
          kind: 'refuse',
          errors: [{ path: '/type', code: 'unexpected_event', message: 'A timer waits for its time.' }],
        },
});

/** Starts another workflow; when told to, waits until the caller reports that it ended. */
export const subWorkflowExecutor = defineExecutor(subWorkflowNode, {
  run(ctx) {
    const c = ctx.config;
    const input: Record<string, unknown> = {};
    for (const key of Object.keys(c.input ?? {})) input[key] = ctx.cel(`/input/${escapePointerToken(key)}`);
    const reply = { name: SUB_WORKFLOW_ENDED_EVENT, key: ctx.stepKey };
    const effect = {
      type: 'start_sub_workflow' as const,
      idempotencyKey: ctx.stepKey,
      workflowId: c.workflowId,
      ...(c.version === undefined ? {} : { version: c.version }),
      input,
      ...(c.shouldWait ? { reply } : {}),
    };
    if (!c.shouldWait) return { kind: 'next', input, effects: [effect] };
    return { kind: 'wait', input, effects: [effect], wait: { kind: 'event', ...reply } };
  },
  resume(_ctx, signal) {
    if (signal.kind !== 'event')
      return {
        kind: 'refuse',
        errors: [
          {
            path: '/type',
            code: 'unexpected_event',
            message: 'A sub-workflow step waits for the sub-workflow to end.',
          },
        ],
      };
    const payload = (signal.event.payload ?? {}) as { status?: unknown; output?: unknown };
    if (payload.status === 'failed' || payload.status === 'cancelled')
      return { kind: 'fail', error: `The sub-workflow ${payload.status}.` };
    return { kind: 'next', output: payload.output ?? {} };
  },
});

export const endExecutor = defineExecutor(endNode, {
  run: (ctx) => ({
    kind: 'end',
    status: ctx.config.status,
    ...(ctx.config.statusName ? { statusName: ctx.config.statusName } : {}),
  }),
});
