import { describe, expect, it } from 'vitest';
import { builtInFilter, mergeFilters, mergeStable } from './views.ts';

describe('desk views', () => {
  const me = { userId: '7', teamIds: ['2', '3'] };
  it('lists open tickets of the view', () => {
    expect(builtInFilter('mine', me)).toEqual({
      status: ['new', 'open', 'pending', 'on_hold'],
      assigneeId: '7',
    });
    expect(builtInFilter('team', me).teamIds).toEqual(['2', '3']);
    expect(builtInFilter('breached', me).sla).toBe('breached');
  });

  it("lays the person's filters over the view's, dropping empty ones", () => {
    expect(mergeFilters({ status: ['open'] }, { priority: ['urgent'], text: '', channel: [] })).toEqual({
      status: ['open'],
      priority: ['urgent'],
    });
  });

  it('keeps shown rows in place and holds new ones back', () => {
    const a = { id: '1', v: 'a' };
    const b = { id: '2', v: 'b' };
    const c = { id: '3', v: 'c' };
    const merged = mergeStable([a, b], [c, { id: '2', v: 'b2' }, a]);
    expect(merged.rows).toEqual([a, { id: '2', v: 'b2' }]);
    expect(merged.waiting).toEqual([c]);
    expect(mergeStable([a, b], [a]).rows).toEqual([a]);
  });
});
