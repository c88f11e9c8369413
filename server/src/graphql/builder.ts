import type { FieldError } from '@docket/core';
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import { GraphQLError, Kind } from 'graphql';
import { ForbiddenError, NotFoundError, ValidationFailed } from '../errors.ts';
import type { Ctx } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: Ctx;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    ID: { Input: string; Output: string | number };
  };
}>({
  plugins: [ErrorsPlugin, RelayPlugin],
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  errors: { defaultTypes: [] },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  parseValue: (v) => {
    const d = new Date(String(v));
    if (typeof v !== 'string' || Number.isNaN(d.getTime()))
      throw new GraphQLError(`"${String(v)}" is not an ISO 8601 date-time such as 2026-11-22T08:00:00Z.`);
    return d;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('A DateTime is written as an ISO 8601 string.');
    const d = new Date(ast.value);
    if (Number.isNaN(d.getTime())) throw new GraphQLError(`"${ast.value}" is not an ISO 8601 date-time.`);
    return d;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value (form data, JSON Schema, uiSchema).',
  serialize: (v) => v,
  parseValue: (v) => v,
});

export const FieldErrorRef = builder.objectRef<FieldError>('FieldError').implement({
  description:
    'One problem with the input: where it is (a JSON pointer into the input), a code and a message.',
  fields: (t) => ({
    path: t.exposeString('path', {
      description: 'JSON pointer into the input, e.g. /formData/returnReason.',
    }),
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(ValidationFailed, {
  name: 'ValidationError',
  description: 'The input was refused; nothing was written. Each field error says what to fix.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ fields: t.field({ type: [FieldErrorRef], resolve: (e) => e.errors }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The thing named does not exist, or the caller may not see it.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeString('path') }),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: 'The caller is known but lacks the permission this needs.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ permission: t.exposeString('permission', { nullable: true }) }),
});

/** The typed errors every mutation may return. */
export const mutationErrors = {
  types: [ValidationFailed, NotFoundError, ForbiddenError],
  directResult: true as const,
};
