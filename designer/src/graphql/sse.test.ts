import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.ts';

describe('SseParser', () => {
  it('reads events split anywhere across chunks, skipping keep-alive comments', () => {
    const stream =
      ':\n\nevent: next\ndata: {"data":{"a":1}}\n\nevent: next\r\ndata: {"data":\r\ndata: 2}\r\n\r\nevent: complete\ndata:\n\n';
    for (const size of [1, 3, 7, stream.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
      expect(events).toEqual([
        { event: 'next', data: '{"data":{"a":1}}' },
        { event: 'next', data: '{"data":\n2}' },
        { event: 'complete', data: '' },
      ]);
    }
  });

  it('keeps an unfinished event until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: next\ndata: {}')).toEqual([]);
    expect(parser.push('\n\n')).toEqual([{ event: 'next', data: '{}' }]);
  });
});
