import { describe, expect, it } from 'vitest';
import { createTopics } from './pubsub.ts';

describe('createTopics', () => {
  it('lets more than ten subscribers listen on one topic without a warning, and each hears it', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const topics = createTopics<{ changed: [{ id: string }] }>();
      const subscribers = Array.from({ length: 25 }, () =>
        topics.subscribe('changed')[Symbol.asyncIterator](),
      );
      const heard = Promise.all(subscribers.map((s) => s.next()));
      topics.publish('changed', { id: '7' });
      expect((await heard).map((r) => (r.value as { id: string }).id)).toEqual(Array(25).fill('7'));
      await Promise.all(subscribers.map((s) => s.return?.()));
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
