import { describe, expect, it } from 'vitest';
import {
  CelError,
  celTypeFromJsonSchema,
  checkCel,
  compileCel,
  createCelEnvironment,
  fromCelValue,
} from './cel.ts';

const typed = createCelEnvironment({
  ticket: { priority: 'string', amount: 'double', count: 'int', tags: 'list<string>', dueAt: 'timestamp' },
  form: { customer: { vip: 'bool', name: 'string' } },
});

describe('checkCel', () => {
  it('accepts a well-typed expression and says its type', () => {
    expect(checkCel(typed, 'ticket.priority == "high" && ticket.count > 2')).toEqual({
      ok: true,
      type: 'bool',
    });
    expect(checkCel(typed, 'ticket.dueAt')).toEqual({ ok: true, type: 'timestamp' });
    expect(checkCel(typed, 'form.customer.vip || "vip" in ticket.tags')).toEqual({ ok: true, type: 'bool' });
  });

  it('reports a syntax error with its column', () => {
    const r = checkCel(typed, 'ticket.priority == ');
    expect(r).toMatchObject({ ok: false, kind: 'syntax', start: 19 });
    expect(r.ok || r.message).toMatch(/column 20/);
  });

  it('reports an unknown field, an unknown variable and a wrong type', () => {
    expect(checkCel(typed, 'ticket.priorty == "high"')).toMatchObject({
      ok: false,
      kind: 'type',
      message: expect.stringMatching(/priorty/),
    });
    expect(checkCel(typed, 'form.customer.age > 3')).toMatchObject({
      ok: false,
      kind: 'type',
      message: expect.stringMatching(/age/),
    });
    expect(checkCel(typed, 'user.id == 1')).toMatchObject({
      ok: false,
      kind: 'type',
      message: expect.stringMatching(/user/),
    });
    expect(checkCel(typed, 'ticket.priority > 3')).toMatchObject({
      ok: false,
      kind: 'type',
      message: expect.stringMatching(/string > int/),
    });
  });

  it('treats an empty expression as a syntax error', () => {
    expect(checkCel(typed, '  ')).toMatchObject({ ok: false, kind: 'syntax' });
  });

  it('reads anything in an untyped environment', () => {
    expect(checkCel(createCelEnvironment(), 'whatever.deep.field == 1')).toEqual({ ok: true, type: 'bool' });
  });
});

describe('compileCel', () => {
  it('evaluates over plain JSON: whole numbers as ints, ISO text as timestamps', () => {
    const c = compileCel(typed, 'ticket.count + 1 > 2 && ticket.amount * 1.5 > 100.0 && ticket.dueAt < now');
    const ticket = { priority: 'high', amount: 100, count: 2, tags: [], dueAt: '2025-01-01T00:00:00Z' };
    expect(c.evaluate({ ticket, now: Date.parse('2025-02-01T00:00:00Z') })).toBe(true);
    expect(c.reads).toEqual(expect.arrayContaining(['ticket', 'now']));
  });

  it('returns plain JSON', () => {
    const c = compileCel(
      createCelEnvironment(),
      '{"n": x + 1, "when": timestamp("2025-01-01T00:00:00Z"), "l": [1, 2]}',
    );
    expect(c.evaluate({ x: 41 })).toEqual({ n: 42, when: '2025-01-01T00:00:00.000Z', l: [1, 2] });
  });

  it('treats a null field as absent', () => {
    const c = compileCel(typed, 'has(form.customer.name) ? form.customer.name : "anonymous"');
    expect(c.evaluate({ form: { customer: { vip: true, name: null } } })).toBe('anonymous');
  });

  it('throws CelError for an invalid expression or a failed evaluation', () => {
    expect(() => compileCel(typed, 'ticket.nope')).toThrow(CelError);
    const c = compileCel(typed, 'ticket.priority == "high"');
    expect(() => c.evaluate({ ticket: {} })).toThrow(/priority/);
  });
});

describe('celTypeFromJsonSchema', () => {
  it('maps a form schema, including fields only conditional parts add', () => {
    expect(
      celTypeFromJsonSchema({
        type: 'object',
        properties: {
          name: { type: 'string' },
          age: { type: 'integer' },
          price: { type: 'number' },
          ok: { type: 'boolean' },
          visit: { type: 'string', format: 'date-time' },
          tags: { type: 'array', items: { type: 'string' } },
          address: { type: 'object', properties: { city: { type: 'string' } } },
          extra: {},
        },
        if: { properties: { ok: { const: true } } },
        then: { properties: { reason: { type: 'string' } } },
      }),
    ).toEqual({
      name: 'string',
      age: 'int',
      price: 'double',
      ok: 'bool',
      visit: 'timestamp',
      tags: 'list<string>',
      address: { city: 'string' },
      extra: 'dyn',
      reason: 'string',
    });
    expect(celTypeFromJsonSchema({ type: 'object' })).toBe('map<string, dyn>');
  });
});

describe('fromCelValue', () => {
  it('turns CEL values into JSON', () => {
    expect(fromCelValue(new Map([['a', 1n]]))).toEqual({ a: 1 });
    expect(fromCelValue(new Uint8Array([104, 105]))).toBe('aGk=');
  });
});
