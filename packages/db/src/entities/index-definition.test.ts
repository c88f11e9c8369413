import { describe, expect, it } from 'vitest';
import { indexDefinition } from './index-definition.ts';

describe('indexDefinition', () => {
  it('takes the name from the definition as PostgreSQL prints it', () => {
    const def =
      'CREATE UNIQUE INDEX customer_email_idx ON public.customer USING btree (lower(email)) WHERE (email IS NOT NULL)';
    expect(indexDefinition(def)).toEqual({ name: 'customer_email_idx', expression: def });
  });

  it('refuses text that is not an index definition', () => {
    expect(() => indexDefinition('create index on ticket (title)')).toThrow(/as PostgreSQL prints it/);
  });
});
