import { validateWorkflow, type WorkflowNode } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { durationMs, fixedClock } from './clock.ts';
import type { Effect } from './effects.ts';
import { createInterpreter } from './interpreter.ts';
import { condition, end, graph, human, start } from './testing/graph-builder.ts';
import { Driver, deepFreeze } from './testing/harness.ts';

const fourNodes = graph(
  {
    start,
    route: condition([{ id: 'urgent', when: 'ticket.priority == "urgent" || form.amount > 1000' }]),
    fields: { type: 'set_fields', config: { fields: [{ field: 'queue', value: 'escalations' }] } },
    done: end(),
  },
  ['start -> route', 'route.urgent -> fields', 'route.else -> done', 'fields -> done'],
);

const of = <T extends Effect['type']>(effects: Effect[], type: T) =>
  effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

describe('interpreter: running to the end', () => {
  it('runs start, condition, set fields, end in one event, with a trace and effects', () => {
    expect(validateWorkflow(fourNodes)).toEqual([]);
    const d = new Driver(createInterpreter(fourNodes), {
      ticket: { priority: 'urgent' },
      form: { amount: 5 },
    });
    expect(d.state.status).toBe('completed');
    expect(d.state.endStatus).toEqual({ status: 'solved', nodeId: 'done' });
    expect(d.path()).toEqual(['start', 'route', 'fields', 'done']);
    expect(d.state.ticket).toEqual({ priority: 'urgent', queue: 'escalations' });
    expect(d.effects).toEqual([
      { type: 'set_ticket_fields', fields: { queue: 'escalations' }, stepKey: 'i1/t1/fields/3' },
      { type: 'end_instance', status: 'solved', nodeId: 'done', stepKey: 'i1/t1/done/4' },
    ]);
    expect(d.last.stepKeys).toEqual(['i1/t1/start/1', 'i1/t1/route/2', 'i1/t1/fields/3', 'i1/t1/done/4']);
    const route = d.state.trace[1];
    expect(route).toMatchObject({
      nodeId: 'route',
      input: { evaluated: [{ branch: 'urgent', value: true }] },
      output: { branch: 'urgent' },
      startedAt: '2025-01-06T09:00:00.000Z',
      endedAt: '2025-01-06T09:00:00.000Z',
    });
    expect(d.state.steps.route).toEqual({ branch: 'urgent' });
  });

  it('takes the else edge when no branch holds', () => {
    const d = new Driver(createInterpreter(fourNodes), { ticket: { priority: 'low' }, form: { amount: 5 } });
    expect(d.path()).toEqual(['start', 'route', 'done']);
    expect(d.state.ticket).toEqual({ priority: 'low' });
  });

  it('gives the same state, effects and step keys when the same start is replayed', () => {
    const i = createInterpreter(fourNodes);
    const input = { instanceId: 'x', ticket: { priority: 'urgent' } };
    const a = i.start(input, fixedClock(0));
    const b = i.start(input, fixedClock(0));
    expect(b).toEqual(a);
  });

  it('ignores events once the instance ended', () => {
    const d = new Driver(createInterpreter(fourNodes), { ticket: { priority: 'urgent' } });
    const r = d.send({ type: 'retry' });
    expect(r).toMatchObject({ outcome: 'ignored', effects: [], errors: [{ code: 'instance_ended' }] });
  });
});

describe('interpreter: conditions', () => {
  const g = graph(
    {
      start,
      triage: human('Triage', {
        formSchema: {
          type: 'object',
          required: ['approved'],
          properties: { approved: { type: 'boolean' }, score: { type: 'integer' } },
        },
      }),
      route: condition([
        { id: 'rejected', when: '!steps.triage.approved' },
        { id: 'vip', when: 'form.customer.tier == "gold" && steps.triage.score >= 8' },
        { id: 'big', when: 'form.amount > 100.0' },
      ]),
      a: end('closed'),
      b: end(),
      c: end(),
      d: end(),
    },
    [
      'start -> triage',
      'triage -> route',
      'route.rejected -> a',
      'route.vip -> b',
      'route.big -> c',
      'route.else -> d',
    ],
  );
  const context = {
    ticket: { priority: 'string' },
    form: { amount: 'double', customer: { tier: 'string' } },
  } as const;

  it('validates against the typed context', () => {
    expect(validateWorkflow(g, context)).toEqual([]);
  });

  it.each([
    [{ approved: false }, { amount: 500 }, 'a'],
    [{ approved: true, score: 9 }, { amount: 500, customer: { tier: 'gold' } }, 'b'],
    [{ approved: true, score: 3 }, { amount: 500, customer: { tier: 'gold' } }, 'c'],
    [{ approved: true, score: 3 }, { amount: 50, customer: { tier: 'silver' } }, 'd'],
  ])('if / else-if / else over step output %j and form %j -> %s', (output, form, endNode) => {
    const d = new Driver(createInterpreter(g, { context }), { form });
    d.complete('triage', output);
    expect(d.state.status).toBe('completed');
    expect(d.state.endStatus?.nodeId).toBe(endNode);
  });

  it('fails the step, naming the node and the error, when an expression cannot be evaluated; retry runs it again', () => {
    const d = new Driver(createInterpreter(g, { context }), { form: { amount: 500 } });
    d.complete('triage', { approved: true, score: 9 });
    expect(d.state.status).toBe('failed');
    const failed = d.state.trace.find((t) => t.error);
    expect(failed).toMatchObject({ nodeId: 'route', error: expect.stringMatching(/customer/) });
    expect(d.effects).toContainEqual(expect.objectContaining({ type: 'instance_failed', nodeId: 'route' }));
    // nothing changed, so a retry fails the same way, as a new step
    d.send({ type: 'retry' });
    expect(d.state.status).toBe('failed');
    expect(d.state.trace.filter((t) => t.nodeId === 'route')).toHaveLength(2);
  });
});

describe('interpreter: human steps', () => {
  const g = graph(
    {
      start,
      dispatch: human('Dispatch'),
      handle: human('Handle', {
        formSchema: {
          type: 'object',
          required: ['resolution'],
          properties: { resolution: { type: 'string', minLength: 3 } },
        },
      }),
      review: human('Review', { rejectTo: 'dispatch', actions: ['complete', 'return', 'reject'] }),
      done: end(),
    },
    ['start -> dispatch', 'dispatch -> handle', 'handle -> review', 'review -> done'],
  );

  it('creates a task with the assignee rule, form and allowed actions, and waits', () => {
    const d = new Driver(createInterpreter(g));
    expect(d.state.status).toBe('waiting');
    const [effect] = of(d.effects, 'create_task');
    expect(effect).toEqual({
      type: 'create_task',
      taskId: 'i1/t1/dispatch/2',
      stepKey: 'i1/t1/dispatch/2',
      nodeId: 'dispatch',
      tokenId: 't1',
      title: 'Dispatch',
      assignee: { kind: 'team', teamId: 'support', strategy: 'round_robin' },
      cc: [],
      formSchema: { type: 'object', properties: {} },
      actions: ['complete', 'transfer', 'return', 'reject'],
    });
    expect(d.state.trace.at(-1)).toMatchObject({ nodeId: 'dispatch', input: { assignee: { kind: 'team' } } });
    expect(d.state.trace.at(-1)?.endedAt).toBeUndefined();
  });

  it('completes with form data, validated against the step form', () => {
    const d = new Driver(createInterpreter(g));
    d.complete('dispatch');
    const refused = d.send({
      type: 'human_action',
      taskId: d.task('handle').taskId,
      action: 'complete',
      output: { resolution: 'x' },
    });
    expect(refused.outcome).toBe('refused');
    expect(refused.errors).toEqual([
      expect.objectContaining({ path: '/output/resolution', code: 'minLength' }),
    ]);
    d.complete('handle', { resolution: 'replaced the part' });
    expect(d.state.steps.handle).toEqual({ resolution: 'replaced the part' });
    expect(of(d.effects, 'close_task')).toEqual([
      expect.objectContaining({ taskId: 'i1/t1/handle/4', outcome: 'completed', actor: 'agent-1' }),
    ]);
    expect(d.openTaskNodes()).toEqual(['review']);
  });

  it('transfers: same task, new assignee, a trace note, still waiting', () => {
    const d = new Driver(createInterpreter(g));
    const taskId = d.task('dispatch').taskId;
    const to = { kind: 'user' as const, userId: 'u-9' };
    d.send({ type: 'human_action', taskId, action: 'transfer', to, reason: 'on leave', actor: 'u-1' });
    expect(d.effects).toEqual([
      {
        type: 'transfer_task',
        taskId,
        assignee: to,
        reason: 'on leave',
        actor: 'u-1',
        stepKey: 'i1/t1/dispatch/3',
      },
    ]);
    expect(d.state.tasks[taskId]?.assignee).toEqual(to);
    expect(d.state.trace.at(-1)).toMatchObject({
      kind: 'event',
      event: { action: 'transfer', to, reason: 'on leave' },
    });
    d.complete('dispatch');
    expect(d.openTaskNodes()).toEqual(['handle']);
  });

  it('returns to the previous human step, to the person who completed it, with the reason', () => {
    const d = new Driver(createInterpreter(g));
    d.complete('dispatch', {}, 'dispatcher-7');
    d.send({
      type: 'human_action',
      taskId: d.task('handle').taskId,
      action: 'return',
      reason: 'wrong address',
      actor: 'agent-2',
    });
    expect(of(d.effects, 'close_task')[0]).toMatchObject({
      outcome: 'returned',
      reason: 'wrong address',
      actor: 'agent-2',
    });
    const [task] = of(d.effects, 'create_task');
    expect(task).toMatchObject({
      nodeId: 'dispatch',
      assignee: { kind: 'user', userId: 'dispatcher-7' },
      origin: { action: 'return', fromNodeId: 'handle', reason: 'wrong address', actor: 'agent-2' },
    });
    // the flow goes on from the returned-to step
    d.complete('dispatch');
    d.complete('handle', { resolution: 'done now' });
    expect(d.openTaskNodes()).toEqual(['review']);
    expect(d.path()).toEqual(['start', 'dispatch', 'handle', 'dispatch', 'handle', 'review']);
  });

  it('rejects a misrouted ticket back to its dispatcher step, skipping steps in between', () => {
    const d = new Driver(createInterpreter(g));
    d.complete('dispatch', {}, 'dispatcher-7');
    d.complete('handle', { resolution: 'done' });
    d.send({
      type: 'human_action',
      taskId: d.task('review').taskId,
      action: 'reject',
      reason: 'not our team',
      actor: 'lead',
    });
    expect(of(d.effects, 'close_task')[0]).toMatchObject({ outcome: 'rejected', reason: 'not our team' });
    expect(of(d.effects, 'create_task')[0]).toMatchObject({
      nodeId: 'dispatch',
      assignee: { kind: 'user', userId: 'dispatcher-7' },
      origin: { action: 'reject', fromNodeId: 'review', reason: 'not our team' },
    });
    // a return from the dispatcher now has nowhere to go
    const r = d.send({
      type: 'human_action',
      taskId: d.task('dispatch').taskId,
      action: 'return',
      reason: 'why',
    });
    expect(r).toMatchObject({ outcome: 'refused', errors: [{ code: 'cannot_return' }] });
  });

  it('rejects back to the previous human step when no dispatcher step is configured', () => {
    const d = new Driver(createInterpreter(g));
    d.complete('dispatch');
    d.send({ type: 'human_action', taskId: d.task('handle').taskId, action: 'reject', reason: 'misrouted' });
    expect(d.openTaskNodes()).toEqual(['dispatch']);
  });

  it('refuses actions the step does not allow, actions without a reason, and returns with nowhere to go', () => {
    const d = new Driver(createInterpreter(g));
    const taskId = d.task('dispatch').taskId;
    expect(d.send({ type: 'human_action', taskId, action: 'return', reason: 'x' }).errors[0]?.code).toBe(
      'cannot_return',
    );
    expect(d.send({ type: 'human_action', taskId, action: 'reject', reason: ' ' }).errors[0]?.code).toBe(
      'reason_required',
    );
    d.complete('dispatch');
    d.complete('handle', { resolution: 'fixed' });
    const review = d.task('review').taskId;
    const r = d.send({
      type: 'human_action',
      taskId: review,
      action: 'transfer',
      to: { kind: 'role', roleId: 'x' },
      reason: 'y',
    });
    expect(r).toMatchObject({
      outcome: 'refused',
      errors: [{ code: 'action_not_allowed', path: '/action' }],
    });
  });

  it('treats a repeated action as a no-op', () => {
    const d = new Driver(createInterpreter(g));
    const taskId = d.task('dispatch').taskId;
    d.complete('dispatch');
    const before = d.state;
    const again = d.send({ type: 'human_action', taskId, action: 'complete', output: {} });
    expect(again).toMatchObject({ outcome: 'ignored', effects: [], errors: [{ code: 'task_closed' }] });
    expect(d.state).toEqual(before);
  });

  it('gives the same result when a stored event is handled again (a retried transaction)', () => {
    const d = new Driver(createInterpreter(g));
    const event = {
      type: 'human_action' as const,
      taskId: d.task('dispatch').taskId,
      action: 'complete' as const,
      output: {},
    };
    const a = d.interpreter.handle(d.state, event, fixedClock(1000));
    const b = d.interpreter.handle(d.state, event, fixedClock(1000));
    expect(b).toEqual(a);
    expect(a.stepKeys).toEqual(['i1/t1/dispatch/3', 'i1/t1/handle/4']);
  });

  it('never changes the state it is given', () => {
    const i = createInterpreter(g);
    const started = deepFreeze(i.start({ instanceId: 'p' }, fixedClock(0)).state);
    const taskId = Object.keys(started.tasks)[0] as string;
    expect(() =>
      i.handle(started, { type: 'human_action', taskId, action: 'complete', output: {} }, fixedClock(1)),
    ).not.toThrow();
    expect(() => i.handle(started, { type: 'cancel', reason: 'test' }, fixedClock(1))).not.toThrow();
  });

  it('cancels: closes open tasks and ends the instance', () => {
    const d = new Driver(createInterpreter(g));
    d.send({ type: 'cancel', reason: 'duplicate ticket' });
    expect(d.state.status).toBe('cancelled');
    expect(of(d.effects, 'close_task')).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
  });
});

describe('interpreter: time limits and timers', () => {
  it('schedules a step time limit; when it passes, says the step is overdue and keeps waiting; completing cancels it', () => {
    const g = graph(
      { start, h: human('Fix', { timeLimit: { amount: 2, unit: 'hours', time: 'calendar' } }), done: end() },
      ['start -> h', 'h -> done'],
    );
    const d = new Driver(createInterpreter(g));
    const [timer] = of(d.effects, 'schedule_timer');
    expect(timer).toMatchObject({
      purpose: 'time_limit',
      dueAt: '2025-01-06T11:00:00.000Z',
      timerId: 'i1/t1/h/time_limit',
      version: 2,
    });
    expect(of(d.effects, 'create_task')[0]?.dueAt).toBe('2025-01-06T11:00:00.000Z');
    d.send(
      { type: 'timer_fired', timerId: timer?.timerId ?? '', version: 2 },
      durationMs({ amount: 2, unit: 'hours' }),
    );
    expect(d.effects).toEqual([
      expect.objectContaining({ type: 'step_overdue', nodeId: 'h', taskId: 'i1/t1/h/2' }),
    ]);
    expect(d.task('h').isOverdue).toBe(true);
    d.complete('h');
    expect(d.state.status).toBe('completed');
  });

  it('cancels the time-limit timer when the step completes in time', () => {
    const g = graph(
      { start, h: human('Fix', { timeLimit: { amount: 1, unit: 'days', time: 'calendar' } }), done: end() },
      ['start -> h', 'h -> done'],
    );
    const d = new Driver(createInterpreter(g));
    d.complete('h');
    expect(of(d.effects, 'cancel_timer')).toEqual([
      expect.objectContaining({ timerId: 'i1/t1/h/time_limit', version: 2 }),
    ]);
    expect(d.state.timers).toEqual({});
  });

  const timerGraph = (config: Record<string, unknown>) =>
    graph({ start, wait: { type: 'timer', config }, after: human('After'), done: end() }, [
      'start -> wait',
      'wait -> after',
      'after -> done',
    ]);

  it('waits a calendar duration; a stale or repeated timer is a no-op', () => {
    const d = new Driver(
      createInterpreter(timerGraph({ mode: 'duration', amount: 3, unit: 'days', time: 'calendar' })),
    );
    const [t] = of(d.effects, 'schedule_timer');
    expect(t).toMatchObject({
      timerId: 'i1/t1/wait/timer',
      version: 2,
      dueAt: '2025-01-09T09:00:00.000Z',
      purpose: 'timer',
    });
    expect(d.send({ type: 'timer_fired', timerId: 'i1/t1/wait/timer', version: 1 }).outcome).toBe('ignored');
    expect(d.send({ type: 'timer_fired', timerId: 'nope', version: 2 }).outcome).toBe('ignored');
    d.send(
      { type: 'timer_fired', timerId: 'i1/t1/wait/timer', version: 2 },
      durationMs({ amount: 3, unit: 'days' }),
    );
    expect(d.openTaskNodes()).toEqual(['after']);
    expect(d.state.trace.find((e) => e.nodeId === 'wait')).toMatchObject({
      startedAt: '2025-01-06T09:00:00.000Z',
      endedAt: '2025-01-09T09:00:00.000Z',
    });
    expect(d.send({ type: 'timer_fired', timerId: 'i1/t1/wait/timer', version: 2 }).outcome).toBe('ignored');
  });

  it('counts business time with the clock’s calendar, and fails clearly without one', () => {
    const g = timerGraph({ mode: 'duration', amount: 8, unit: 'hours', time: 'business', calendarId: 'cn' });
    const calls: unknown[] = [];
    const d = new Driver(createInterpreter(g), {}, '2025-01-06T09:00:00Z', {
      addBusinessTime: (from, duration, calendarId) => {
        calls.push([from, duration, calendarId]);
        return from + 24 * 3_600_000; // next working day
      },
    });
    expect(calls).toEqual([[Date.parse('2025-01-06T09:00:00Z'), { amount: 8, unit: 'hours' }, 'cn']]);
    expect(of(d.effects, 'schedule_timer')[0]?.dueAt).toBe('2025-01-07T09:00:00.000Z');

    const without = new Driver(createInterpreter(g));
    expect(without.state.status).toBe('failed');
    expect(without.state.trace.at(-1)?.error).toMatch(/business calendar/);
  });

  it('waits until a date field, with an offset; a date already past does not wait', () => {
    const g = timerGraph({ mode: 'until', until: 'form.visitAt', offsetMinutes: -30 });
    const d = new Driver(createInterpreter(g), { form: { visitAt: '2025-01-10T10:00:00Z' } });
    expect(of(d.effects, 'schedule_timer')[0]?.dueAt).toBe('2025-01-10T09:30:00.000Z');
    const past = new Driver(createInterpreter(g), { form: { visitAt: '2024-01-01T00:00:00Z' } });
    expect(past.openTaskNodes()).toEqual(['after']);
  });
});

describe('interpreter: parallel branches', () => {
  const parallel = (mode: 'all' | 'any') =>
    graph(
      {
        start,
        split: { type: 'parallel_split' },
        a: human('A'),
        b: human('B'),
        c: human('C'),
        join: { type: 'parallel_join', config: { mode } },
        after: human('After'),
        done: end(),
      },
      [
        'start -> split',
        'split -> a',
        'split -> b',
        'split -> c',
        'a -> join',
        'b -> join',
        'c -> join',
        'join -> after',
        'after -> done',
      ],
    );

  it('mode all: continues once every branch arrived, with one token', () => {
    const d = new Driver(createInterpreter(parallel('all')));
    expect(d.openTaskNodes()).toEqual(['a', 'b', 'c']);
    expect(Object.keys(d.state.frames)).toHaveLength(1);
    d.complete('b');
    d.complete('a');
    expect(d.openTaskNodes()).toEqual(['c']);
    expect(Object.values(d.state.frames)[0]?.arrived).toHaveLength(2);
    d.complete('c');
    expect(d.openTaskNodes()).toEqual(['after']);
    expect(d.state.frames).toEqual({});
    const live = Object.values(d.state.tokens).filter((t) => t.status === 'waiting');
    expect(live).toHaveLength(1);
    expect(live[0]?.frames).toEqual([]);
    d.complete('after');
    expect(d.state.status).toBe('completed');
  });

  it('mode any: the first branch continues and the others are cancelled', () => {
    const d = new Driver(createInterpreter(parallel('any')));
    d.complete('b');
    expect(d.openTaskNodes()).toEqual(['after']);
    expect(of(d.effects, 'close_task').map((e) => [e.taskId.split('/')[2], e.outcome])).toEqual([
      ['b', 'completed'],
      ['a', 'cancelled'],
      ['c', 'cancelled'],
    ]);
    expect(
      Object.values(d.state.tokens)
        .map((t) => t.status)
        .sort(),
    ).toEqual(['cancelled', 'cancelled', 'done', 'waiting']);
  });

  it('does not let a return cross into the part before the split', () => {
    const g = graph(
      {
        start,
        before: human('Before'),
        split: { type: 'parallel_split' },
        a: human('A'),
        b: human('B'),
        join: { type: 'parallel_join', config: { mode: 'all' } },
        done: end(),
      },
      [
        'start -> before',
        'before -> split',
        'split -> a',
        'split -> b',
        'a -> join',
        'b -> join',
        'join -> done',
      ],
    );
    const d = new Driver(createInterpreter(g));
    d.complete('before');
    const r = d.send({ type: 'human_action', taskId: d.task('a').taskId, action: 'return', reason: 'x' });
    expect(r).toMatchObject({
      outcome: 'refused',
      errors: [{ code: 'cannot_return', message: expect.stringMatching(/parallel branch/) }],
    });
  });

  it('ends every branch when one reaches an end', () => {
    const g = graph(
      {
        start,
        split: { type: 'parallel_split' },
        a: human('A'),
        quick: end('closed'),
        join: { type: 'parallel_join', config: { mode: 'any' } },
        done: end(),
      },
      ['start -> split', 'split -> a', 'split -> quick', 'a -> join', 'join -> done'],
    );
    const d = new Driver(createInterpreter(g));
    expect(d.state.status).toBe('completed');
    expect(d.state.endStatus?.status).toBe('closed');
    expect(of(d.effects, 'close_task')).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
  });
});

describe('interpreter: calls to the outside world', () => {
  const httpGraph = (withErrorEdge: boolean) =>
    graph(
      {
        start,
        call: {
          type: 'http_request',
          config: { url: 'https://erp.example.com/x', allowedHosts: ['erp.example.com'], retries: 1 },
        },
        ok: end(),
        bad: end('closed'),
      },
      ['start -> call', 'call -> ok', ...(withErrorEdge ? ['call.error -> bad'] : [])],
    );

  it('asks for the call with an idempotency key, and goes on with the response', () => {
    const d = new Driver(createInterpreter(httpGraph(true)));
    const [req] = of(d.effects, 'http_request');
    expect(req).toMatchObject({
      idempotencyKey: 'i1/t1/call/2',
      attempt: 1,
      method: 'POST',
      timeoutMs: 10_000,
      reply: { name: 'http_response', key: 'i1/t1/call/2' },
    });
    d.send({
      type: 'outside_event',
      name: 'http_response',
      key: 'i1/t1/call/2',
      payload: { ok: true, status: 201, body: { id: 7 } },
    });
    expect(d.state.endStatus?.nodeId).toBe('ok');
    expect(d.state.steps.call).toEqual({ status: 201, body: { id: 7 }, headers: {} });
  });

  it('retries a failed call with the same key, then takes the error edge', () => {
    const d = new Driver(createInterpreter(httpGraph(true)));
    const event = {
      type: 'outside_event' as const,
      name: 'http_response',
      key: 'i1/t1/call/2',
      payload: { ok: false, status: 503 },
    };
    d.send(event);
    expect(of(d.effects, 'http_request')).toEqual([
      expect.objectContaining({ idempotencyKey: 'i1/t1/call/2', attempt: 2 }),
    ]);
    d.send(event);
    expect(d.state.endStatus?.nodeId).toBe('bad');
    expect(d.state.steps.call).toEqual({ error: 'HTTP 503 (after 2 attempts)' });
  });

  it('fails the instance when the call fails and there is no error edge; retry calls again with a new key', () => {
    const d = new Driver(createInterpreter(httpGraph(false)));
    const event = {
      type: 'outside_event' as const,
      name: 'http_response',
      key: 'i1/t1/call/2',
      payload: { ok: false, error: 'timeout' },
    };
    d.send(event);
    d.send(event);
    expect(d.state.status).toBe('failed');
    expect(d.effects).toContainEqual(
      expect.objectContaining({
        type: 'instance_failed',
        nodeId: 'call',
        error: 'timeout (after 2 attempts)',
      }),
    );
    d.send({ type: 'retry' });
    expect(d.state.status).toBe('waiting');
    expect(of(d.effects, 'http_request')[0]).toMatchObject({ attempt: 1, idempotencyKey: 'i1/t1/call/5' });
  });

  it('refuses to call a host that is not allowed, even in a graph that skipped validation', () => {
    const g = graph(
      {
        start,
        call: {
          type: 'http_request',
          config: { url: 'https://evil.test/', allowedHosts: ['erp.example.com'] },
        },
        ok: end(),
      },
      ['start -> call', 'call -> ok'],
    );
    const d = new Driver(createInterpreter(g));
    expect(d.state.status).toBe('failed');
    expect(d.effects.map((e) => e.type)).toEqual(['instance_failed']);
  });

  it('notifies and assigns with their own keys, and waits for a sub-workflow', () => {
    const g = graph(
      {
        start,
        tell: {
          type: 'notify',
          config: { channel: 'in_app', recipients: [{ kind: 'requester' }], body: 'We are on it.' },
        },
        give: {
          type: 'assign',
          config: { assignee: { kind: 'team', teamId: 'field', strategy: 'least_loaded', skills: ['hvac'] } },
        },
        child: {
          type: 'sub_workflow',
          config: { workflowId: 'audit', shouldWait: true, input: { amount: 'form.amount * 2.0' } },
        },
        done: end(),
      },
      ['start -> tell', 'tell -> give', 'give -> child', 'child -> done'],
    );
    const d = new Driver(createInterpreter(g), { form: { amount: 10.5 } });
    expect(d.effects).toEqual([
      {
        type: 'notify',
        idempotencyKey: 'i1/t1/tell/2',
        channel: 'in_app',
        recipients: [{ kind: 'requester' }],
        body: 'We are on it.',
        stepKey: 'i1/t1/tell/2',
      },
      {
        type: 'assign_ticket',
        assignee: { kind: 'team', teamId: 'field', strategy: 'least_loaded', skills: ['hvac'] },
        stepKey: 'i1/t1/give/3',
      },
      {
        type: 'start_sub_workflow',
        idempotencyKey: 'i1/t1/child/4',
        workflowId: 'audit',
        input: { amount: 21 },
        reply: { name: 'sub_workflow_ended', key: 'i1/t1/child/4' },
        stepKey: 'i1/t1/child/4',
      },
    ]);
    d.send({ type: 'outside_event', name: 'sub_workflow_ended', key: 'wrong', payload: {} });
    expect(d.last.outcome).toBe('ignored');
    d.send({
      type: 'outside_event',
      name: 'sub_workflow_ended',
      key: 'i1/t1/child/4',
      payload: { status: 'completed', output: { ok: 1 } },
    });
    expect(d.state.status).toBe('completed');
    expect(d.state.steps.child).toEqual({ ok: 1 });
  });
});

describe('interpreter: follow-up visits and guards', () => {
  it('runs a follow-up visit only when its condition holds', () => {
    const g = graph(
      {
        start,
        rate: human('Rate', { formSchema: { type: 'object', properties: { score: { type: 'integer' } } } }),
        visit: {
          type: 'follow_up',
          config: {
            when: 'steps.rate.score < 3',
            title: 'Call back',
            assignee: { kind: 'role', roleId: 'qa' },
            formSchema: { type: 'object' },
            actions: ['complete'],
          },
        },
        done: end('closed'),
      },
      ['start -> rate', 'rate -> visit', 'visit -> done'],
    );
    const happy = new Driver(createInterpreter(g));
    happy.complete('rate', { score: 5 });
    expect(happy.state.status).toBe('completed');
    const unhappy = new Driver(createInterpreter(g));
    unhappy.complete('rate', { score: 1 });
    expect(unhappy.openTaskNodes()).toEqual(['visit']);
  });

  it('stops a runaway loop in a graph that skipped validation', () => {
    const g = graph({ start, spin: condition([{ id: 'again', when: 'true' }]), done: end() }, [
      'start -> spin',
      'spin.again -> spin',
      'spin.else -> done',
    ]);
    const d = new Driver(createInterpreter(g, { maxStepsPerEvent: 50 }));
    expect(d.state.status).toBe('failed');
    expect(d.effects.at(-1)).toMatchObject({
      type: 'instance_failed',
      error: expect.stringMatching(/without waiting/),
    });
  });

  it('refuses to prepare a graph it cannot run', () => {
    expect(() => createInterpreter({ nodes: [], edges: [] })).toThrow(/no start node/);
    const g = graph({ start, done: end() }, ['start -> done']);
    expect(() =>
      createInterpreter({
        ...g,
        nodes: [...g.nodes, { ...(g.nodes[1] as WorkflowNode), id: 'x', type: 'mystery' }],
      }),
    ).toThrow(/mystery/);
  });
});
