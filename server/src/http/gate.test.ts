import { describe, expect, it } from 'vitest';
import { Gate, GateFull } from './gate.ts';

describe('Gate', () => {
  it('lets a few in at once, queues the next in order and refuses past the queue', async () => {
    const gate = new Gate(1, 2);
    const order: string[] = [];
    const first = await gate.enter();
    const second = gate.enter().then((release) => {
      order.push('second');
      return release;
    });
    const third = gate.enter().then((release) => {
      order.push('third');
      return release;
    });
    await expect(gate.enter()).rejects.toBeInstanceOf(GateFull);
    expect(gate.queued).toBe(2);
    first();
    first(); // a second release changes nothing
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    // Everyone has left: the next caller walks straight in.
    const again = await gate.enter();
    expect(gate.queued).toBe(0);
    again();
  });
});
