import { describe, expect, it } from 'vitest';
import { fillPlaceholders, placeholdersOf } from './placeholders.ts';

describe('placeholders', () => {
  it('fills dotted paths and leaves what has no value, naming it', () => {
    const r = fillPlaceholders(
      '您好 {{requester.name}}，工单 {{ ticket.number }}：{{form.logistics}} {{form.missing}}',
      {
        requester: { name: '李雷' },
        ticket: { number: 'RT-1' },
        form: { logistics: { carrier: 'SF', trackingNumber: 'SF1' } },
      },
    );
    expect(r.text).toBe('您好 李雷，工单 RT-1：SF, SF1 {{form.missing}}');
    expect(r.missing).toEqual(['form.missing']);
  });

  it('lists the placeholders a text uses once each', () => {
    expect(placeholdersOf('{{a.b}} {{c}} {{a.b}} {{ not valid-}}')).toEqual(['a.b', 'c']);
  });
});
