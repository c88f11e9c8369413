import { type FieldNode, GraphQLError, Kind, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Arguments the database cannot read as what they name (an id that is not a number or a UUID, a
 * NUL byte, a number out of range) come back as a validation error naming the argument, not as an
 * internal error with its stack in the log. The database's own check is the one that counts: the
 * error it raises is matched to the argument that holds the value it quotes.
 */

/** PostgreSQL's codes for a value of the wrong form: invalid text, NUL byte, out of range, bad date. */
const BAD_VALUE_CODES = new Set(['22P02', '22021', '22003', '22007', '22008', '22P05', '54000']);

type PgError = { code?: string; message?: string };

function pgErrorOf(e: unknown): PgError | null {
  let current = e as { originalError?: unknown } & PgError;
  for (let i = 0; current && i < 5; i++) {
    if (typeof current.code === 'string' && BAD_VALUE_CODES.has(current.code)) return current;
    current = current.originalError as typeof current;
  }
  return null;
}

const argumentValue = (node: ValueNode, variables: Record<string, unknown>): unknown => {
  switch (node.kind) {
    case Kind.VARIABLE:
      return variables[node.name.value];
    case Kind.LIST:
      return node.values.map((v) => argumentValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, argumentValue(f.value, variables)]));
    case Kind.NULL:
      return null;
    default:
      return 'value' in node ? node.value : null;
  }
};

/** The path (a.b.0.c) inside a value to the first string that holds `needle` (or a NUL byte). */
function pathTo(value: unknown, isMatch: (s: string) => boolean, path: string): string | null {
  if (typeof value === 'string' || typeof value === 'number') return isMatch(String(value)) ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = pathTo(v, isMatch, `${path}.${i}`);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      const hit = pathTo(v, isMatch, `${path}.${k}`);
      if (hit) return hit;
    }
  return null;
}

export function badArgument(error: GraphQLError, variables: Record<string, unknown>): GraphQLError | null {
  const pg = pgErrorOf(error);
  if (!pg) return null;
  const field = error.nodes?.[0] as FieldNode | undefined;
  const quoted = /: "(.*)"$/s.exec(pg.message ?? '')?.[1];
  const isMatch =
    pg.code === '22021'
      ? (s: string) => s.includes('\u0000')
      : quoted !== undefined
        ? (s: string) => s === quoted
        : () => true;
  let argument: string | null = null;
  for (const arg of field?.kind === Kind.FIELD ? (field.arguments ?? []) : []) {
    argument = pathTo(argumentValue(arg.value, variables), isMatch, arg.name.value);
    if (argument) break;
  }
  const what =
    pg.code === '22021'
      ? 'contains a NUL byte'
      : 'is not of the form it must have (a number, a UUID, a date)';
  const name = field?.name.value ?? 'the field';
  return new GraphQLError(
    argument
      ? `Argument "${argument}" of ${name} ${what}${quoted !== undefined ? `: "${quoted}"` : ''}.`
      : `An argument of ${name} ${what}.`,
    { nodes: error.nodes, path: error.path, extensions: { code: 'BAD_USER_INPUT', argument } },
  );
}

/** Rewrites such errors in every result, before they are masked. */
export function badArgumentsPlugin(): Plugin {
  return {
    onExecute: ({ args }) => ({
      onExecuteDone: ({ result, setResult }) => {
        if (!('errors' in result) || !result.errors?.length) return;
        const variables = (args.variableValues ?? {}) as Record<string, unknown>;
        let isChanged = false;
        const errors = result.errors.map((e) => {
          const better = badArgument(e as GraphQLError, variables);
          if (better) isChanged = true;
          return better ?? e;
        });
        if (isChanged) setResult({ ...result, errors });
      },
    }),
  };
}
