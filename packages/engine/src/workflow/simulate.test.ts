import { validateWorkflow } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.ts';
import { condition, end, graph, human, start } from './testing/graph-builder.ts';

const refund = graph(
  {
    start,
    triage: human('Triage', {
      formSchema: { type: 'object', properties: { approved: { type: 'boolean' } } },
      timeLimit: { amount: 2, unit: 'hours', time: 'business' },
    }),
    route: condition([{ id: 'approved', when: 'steps.triage.approved' }]),
    pay: {
      type: 'http_request',
      config: { url: 'https://pay.example.com/refund', allowedHosts: ['pay.example.com'], retries: 0 },
    },
    wait: { type: 'timer', config: { mode: 'duration', amount: 1, unit: 'days', time: 'calendar' } },
    visit: {
      type: 'follow_up',
      config: {
        when: 'form.amount > 100.0',
        title: 'Call back',
        assignee: { kind: 'role', roleId: 'qa' },
        formSchema: { type: 'object' },
        actions: ['complete'],
      },
    },
    solved: end(),
    closed: end('closed'),
  },
  [
    'start -> triage',
    'triage -> route',
    'route.approved -> pay',
    'route.else -> closed',
    'pay -> wait',
    'wait -> visit',
    'visit -> solved',
    'pay.error -> closed',
  ],
);

describe('simulate', () => {
  it('is a valid workflow', () => {
    expect(validateWorkflow(refund, { form: { amount: 'double' } })).toEqual([]);
  });

  it('runs with a virtual clock and returns the path, the trace and the timers that fired', () => {
    const r = simulate(
      refund,
      { form: { amount: 250 } },
      {
        triage: { action: 'complete', output: { approved: true }, after: { amount: 3, unit: 'hours' } },
      },
    );
    expect(r.status).toBe('completed');
    expect(r.endStatus).toEqual({ status: 'solved', nodeId: 'solved' });
    expect(r.path).toEqual(['start', 'triage', 'route', 'pay', 'wait', 'visit', 'solved']);
    expect(r.timersFired).toEqual([
      {
        timerId: 'simulation/t1/triage/time_limit',
        nodeId: 'triage',
        purpose: 'time_limit',
        dueAt: '2025-01-06T11:00:00.000Z',
      },
      {
        timerId: 'simulation/t1/wait/timer',
        nodeId: 'wait',
        purpose: 'timer',
        dueAt: '2025-01-07T12:00:00.000Z',
      },
    ]);
    expect(r.timersPending).toEqual([]);
    expect(r.effects.map((e) => e.type)).toContain('step_overdue');
    expect(r.trace.find((t) => t.nodeId === 'triage' && t.kind === 'step')).toMatchObject({
      startedAt: '2025-01-06T09:00:00.000Z',
      endedAt: '2025-01-06T12:00:00.000Z',
      output: { approved: true },
    });
    expect(r.events.every((e) => e.outcome === 'applied')).toBe(true);
  });

  it('lets a script function choose, and answers HTTP calls as told', () => {
    const r = simulate(
      refund,
      { form: { amount: 20 } },
      (task) => ({ action: 'complete', output: task.nodeId === 'triage' ? { approved: true } : {} }),
      { respondHttp: () => ({ ok: false, status: 500 }) },
    );
    expect(r.path).toEqual(['start', 'triage', 'route', 'pay', 'closed']);
    expect(r.endStatus?.status).toBe('closed');
    expect(r.timersFired).toEqual([]);
  });

  it('uses actions per node in order, for returns and loops', () => {
    const g = graph({ start, a: human('A'), b: human('B'), done: end() }, [
      'start -> a',
      'a -> b',
      'b -> done',
    ]);
    const r = simulate(
      g,
      {},
      {
        b: [{ action: 'return', reason: 'missing info' }, { action: 'complete' }],
      },
    );
    expect(r.path).toEqual(['start', 'a', 'b', 'a', 'b', 'done']);
    expect(r.status).toBe('completed');
  });

  it('stops a workflow that never ends, saying it is incomplete', () => {
    const g = graph({ start, a: human('A'), again: condition([{ id: 'loop', when: 'true' }]), done: end() }, [
      'start -> a',
      'a -> again',
      'again.loop -> a',
      'again.else -> done',
    ]);
    const r = simulate(g, {}, {}, { maxEvents: 20 });
    expect(r.status).toBe('incomplete');
    expect(r.events).toHaveLength(20);
  });

  it('reports a refused scripted action', () => {
    const g = graph({ start, a: human('A', { actions: ['complete'] }), done: end() }, [
      'start -> a',
      'a -> done',
    ]);
    expect(() => simulate(g, {}, { a: { action: 'reject', reason: 'no' } })).toThrow(
      /refused.*does not allow "reject"/,
    );
  });
});
