import {
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  type ValueNode,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
} from 'graphql';
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

/**
 * Every id Docket hands out is a whole number, a UUID (workflow instances), or a UUID followed by
 * a path of the instance's parts (tasks: `<instance>/<token>/<node>/<n>`).
 */
const ID_FORM =
  /^(?:[1-9][0-9]{0,17}|0|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:\/[^\s/]{1,100}){0,6})$/i;

/** The path of the first ID inside an argument's value that is neither a number nor a UUID, or of a NUL byte. */
function badIdIn(type: GraphQLInputType, value: unknown, path: string): string | null {
  if (value === null || value === undefined) return null;
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) {
    const items = Array.isArray(value) ? value : [value];
    for (const [i, v] of items.entries()) {
      const hit = badIdIn(t.ofType, v, `${path}.${i}`);
      if (hit) return hit;
    }
    return null;
  }
  if (isInputObjectType(t)) {
    if (typeof value !== 'object') return null;
    for (const field of Object.values(t.getFields())) {
      const hit = badIdIn(
        field.type,
        (value as Record<string, unknown>)[field.name],
        `${path}.${field.name}`,
      );
      if (hit) return hit;
    }
    return null;
  }
  if ('name' in t && t.name === 'ID') return ID_FORM.test(String(value)) && !hasNul(value) ? null : path;
  return hasNul(value) ? path : null;
}

/** A NUL byte anywhere in a value: PostgreSQL stores none, in text or JSON. */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v));
  return false;
}

/** An argument of a document, with what the schema says of it. */
type PlannedArgument = { node: ArgumentNode; type: GraphQLInputType; name: string; fieldName: string };

/** Per schema, per parsed document (the server's parse cache hands out the same one), its arguments. */
const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, PlannedArgument[]>>();

function argumentsOf(schema: GraphQLSchema, document: DocumentNode): PlannedArgument[] {
  let bySchema = plans.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    plans.set(schema, bySchema);
  }
  let planned = bySchema.get(document);
  if (planned) return planned;
  planned = [];
  const typeInfo = new TypeInfo(schema);
  const out = planned;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument();
        if (!argument) return;
        out.push({
          node,
          type: argument.type,
          name: argument.name,
          fieldName: typeInfo.getFieldDef()?.name ?? 'the field',
        });
      },
    }),
  );
  bySchema.set(document, planned);
  return planned;
}

/** Errors for id arguments (literal or from variables) that no id can look like, and for NUL bytes. */
export function malformedIds(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const { node, type, name, fieldName } of argumentsOf(schema, document)) {
    const value = valueFromASTUntyped(node.value, variables);
    const path = badIdIn(type, value, name);
    if (path)
      errors.push(
        new GraphQLError(
          hasNul(value)
            ? `Argument "${path}" of ${fieldName} contains a NUL byte, which no text may hold.`
            : `Argument "${path}" of ${fieldName} is not an id Docket gave out (ids are whole numbers, UUIDs, or for tasks a UUID and a path, as myTasks lists them).`,
          { nodes: node, extensions: { code: 'BAD_USER_INPUT', argument: path } },
        ),
      );
  }
  return errors;
}

/**
 * Refuses operations whose id arguments are malformed before anything runs, and rewrites the
 * database's refusals of other malformed values in every result, before errors are masked.
 */
export function badArgumentsPlugin(): Plugin {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const ids = malformedIds(
        args.schema,
        args.document,
        (args.variableValues ?? {}) as Record<string, unknown>,
      );
      if (ids.length) {
        setResultAndStopExecution({ data: null, errors: ids });
        return;
      }
      return {
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
      };
    },
  };
}
