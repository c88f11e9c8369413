import { describe, expect, it } from 'vitest';
import { splitRefusal } from './refusal.ts';

describe('splitRefusal', () => {
  it("puts the form's fields apart from the page's, relative to the form", () => {
    expect(
      splitRefusal({
        message: 'Nothing was sent: fix the fields listed.',
        fields: [
          { path: '/formData/logistics/carrier', message: 'Name the carrier.' },
          { path: '/formData', message: 'The submission has 40000 bytes; at most 32768.' },
          { path: '/contact/email', message: 'Give an email address or a phone number.' },
          { path: '/formDataX', message: 'Not the form.' },
        ],
      }),
    ).toEqual({
      message: 'Nothing was sent: fix the fields listed.',
      formErrors: {
        '/logistics/carrier': 'Name the carrier.',
        '': 'The submission has 40000 bytes; at most 32768.',
      },
      otherErrors: {
        '/contact/email': 'Give an email address or a phone number.',
        '/formDataX': 'Not the form.',
      },
    });
  });

  it('answers nothing to split for an error without fields, or none at all', () => {
    expect(splitRefusal({ message: 'You may not create tickets.' })).toEqual({
      message: 'You may not create tickets.',
      formErrors: {},
      otherErrors: {},
    });
    expect(splitRefusal(null)).toEqual({ message: '', formErrors: {}, otherErrors: {} });
  });
});
