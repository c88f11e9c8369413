import type { ASTNode, ObjectSchema } from '@marcbachmann/cel-js';
import { Environment } from '@marcbachmann/cel-js';
import type { JsonSchema } from './json-schema-type.ts';

/**
 * The type of a value conditions can read: a CEL type name ("string", "int", "double", "bool",
 * "timestamp", "duration", "dyn", "list<string>", "map<string, dyn>") or a schema of named fields.
 */
export type CelFieldType = string | CelSchema;
export type CelSchema = { [field: string]: CelFieldType };

/** The variables an expression may use, with their types. */
export type CelVariables = Record<string, CelFieldType>;

/**
 * A compiled CEL environment. Typed (every variable declared, unknown fields and wrong types are
 * errors) when created with variables; untyped (every name is `dyn`) without.
 */
export type CelEnvironment = {
  readonly variables: CelVariables | undefined;
  readonly env: Environment;
};

export type CelCheck =
  | { ok: true; type: string }
  | { ok: false; kind: 'syntax' | 'type'; message: string; start?: number; end?: number };

export type CompiledCel = {
  readonly expression: string;
  /** The top-level variables the expression reads. */
  readonly reads: readonly string[];
  /** Evaluates over plain JSON data; returns plain JSON (ints as numbers, timestamps as ISO text). */
  evaluate(data: Readonly<Record<string, unknown>>): unknown;
};

/** A CEL expression that failed to parse or evaluate, with its position in the text when known. */
export class CelError extends Error {
  readonly kind: 'syntax' | 'type' | 'evaluation';
  readonly start: number | undefined;
  constructor(kind: 'syntax' | 'type' | 'evaluation', message: string, start?: number) {
    super(message);
    this.name = 'CelError';
    this.kind = kind;
    this.start = start;
  }
}

const PROTO_NAMES: Record<string, string> = {
  timestamp: 'google.protobuf.Timestamp',
  duration: 'google.protobuf.Duration',
};
const toLibType = (t: string): string =>
  t.replace(/\b(timestamp|duration)\b/g, (m) => PROTO_NAMES[m] ?? m).replace(/\bnumber\b/g, 'double');
const fromLibType = (t: string): string =>
  t.replace(/google\.protobuf\.Timestamp/g, 'timestamp').replace(/google\.protobuf\.Duration/g, 'duration');

function toLibSchema(schema: CelSchema): ObjectSchema {
  const out: ObjectSchema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = typeof v === 'string' ? toLibType(v) : toLibSchema(v);
  return out;
}

/**
 * Creates an environment. `now` (a timestamp) is always available. Environments are costly to
 * build (tens of microseconds): build one per workflow, not per evaluation.
 */
export function createCelEnvironment(variables?: CelVariables): CelEnvironment {
  const env = new Environment({
    unlistedVariablesAreDyn: variables === undefined,
    homogeneousAggregateLiterals: false,
  });
  if (!variables || !('now' in variables)) env.registerVariable('now', 'google.protobuf.Timestamp');
  if (variables)
    for (const [name, type] of Object.entries(variables)) {
      if (typeof type === 'string') env.registerVariable(name, toLibType(type));
      else env.registerVariable({ name, schema: toLibSchema(type) });
    }
  return { variables, env };
}

type LibError = Error & { summary?: string; range?: { start: number; end: number } };

function describe(e: unknown): { message: string; start?: number; end?: number } {
  const err = e as LibError;
  const summary = err.summary ?? err.message?.split('\n')[0] ?? String(e);
  const start = err.range?.start;
  return start === undefined
    ? { message: summary }
    : { message: `${summary} (at column ${start + 1})`, start, end: err.range?.end ?? start };
}

/** Checks syntax and types without evaluating. Never throws. */
export function checkCel(cel: CelEnvironment, expression: string): CelCheck {
  if (typeof expression !== 'string' || expression.trim() === '')
    return { ok: false, kind: 'syntax', message: 'The expression is empty.' };
  let result: ReturnType<Environment['check']>;
  try {
    result = cel.env.check(expression);
  } catch (e) {
    return { ok: false, kind: (e as Error).name === 'ParseError' ? 'syntax' : 'type', ...describe(e) };
  }
  if (result.valid) return { ok: true, type: fromLibType(result.type ?? 'dyn') };
  const kind = result.error?.name === 'ParseError' ? 'syntax' : 'type';
  return { ok: false, kind, ...describe(result.error) };
}

function rootVariables(ast: ASTNode): string[] {
  const found = new Set<string>();
  const walk = (n: unknown): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    const node = n as { op?: string; args?: unknown };
    if (node.op === 'id' && typeof node.args === 'string') found.add(node.args);
    else if (node.op !== 'value') walk(node.args);
  };
  walk(ast);
  return [...found];
}

/**
 * Parses (and in a typed environment type-checks) once; the result evaluates many times.
 * Throws CelError when the expression is not valid.
 */
export function compileCel(cel: CelEnvironment, expression: string): CompiledCel {
  const check = checkCel(cel, expression);
  if (!check.ok) throw new CelError(check.kind, check.message, check.start);
  const program = cel.env.parse(expression);
  const reads = rootVariables(program.ast);
  const types = cel.variables;
  return {
    expression,
    reads,
    evaluate(data) {
      const activation: Record<string, unknown> = {};
      for (const name of reads) {
        const value = data[name];
        if (value === undefined) continue;
        const type = types?.[name] ?? (name === 'now' ? 'timestamp' : 'dyn');
        activation[name] = toCelValue(value, type);
      }
      let result: unknown;
      try {
        result = program(activation);
      } catch (e) {
        const d = describe(e);
        throw new CelError('evaluation', d.message, d.start);
      }
      return fromCelValue(result);
    },
  };
}

/** Converts plain JSON to the values CEL expects for a declared type (ints as BigInt, timestamps as Date). */
export function toCelValue(value: unknown, type: CelFieldType): unknown {
  if (value === null || value === undefined) return value;
  if (typeof type === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === null || v === undefined) continue; // an empty field reads as absent: has() is false
      const t = type[k];
      out[k] = t === undefined ? toCelValue(v, 'dyn') : toCelValue(v, t);
    }
    return out;
  }
  switch (type) {
    case 'int':
    case 'uint':
      return typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value;
    case 'double':
      return typeof value === 'bigint' ? Number(value) : value;
    case 'timestamp':
      return toDate(value);
    case 'string':
    case 'bool':
      return value;
  }
  const list = /^list<(.+)>$/.exec(type);
  if (list) return Array.isArray(value) ? value.map((v) => toCelValue(v, list[1] ?? 'dyn')) : value;
  const map = /^map<\s*string\s*,\s*(.+)>$/.exec(type);
  if (map && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = toCelValue(v, map[1] ?? 'dyn');
    return out;
  }
  return toDyn(value);
}

function toDate(value: unknown): unknown {
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : new Date(ms);
  }
  if (typeof value === 'number') return new Date(value);
  return value;
}

function toDyn(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toDyn);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toDyn(v);
    return out;
  }
  return value;
}

/** Converts a CEL result back to plain JSON. */
export function fromCelValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(fromCelValue);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = fromCelValue(v);
    return out;
  }
  if (value instanceof Uint8Array) return btoa(String.fromCharCode(...value));
  const v = value as { value?: unknown; seconds?: unknown; nanos?: unknown; constructor?: { name?: string } };
  const ctorName = v.constructor?.name;
  if (ctorName === 'UnsignedInt') return Number(v.value);
  if (ctorName === 'Duration' && typeof v.seconds === 'number') return `${v.seconds}s`;
  if (ctorName === 'Optional') {
    const opt = value as { hasValue(): boolean; value(): unknown };
    return opt.hasValue() ? fromCelValue(opt.value()) : null;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(value)) out[k] = fromCelValue(x);
  return out;
}

/**
 * The CEL type of the data a JSON Schema describes (a form's schema, a step's form): objects with
 * properties become schemas, date-time and date strings become timestamps, integers int,
 * numbers double. What it cannot read becomes dyn.
 */
export function celTypeFromJsonSchema(schema: unknown): CelFieldType {
  if (schema === null || typeof schema !== 'object') return 'dyn';
  const s = schema as JsonSchema;
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null') : s.type;
  const single = Array.isArray(type) ? (type.length === 1 ? type[0] : undefined) : type;
  switch (single) {
    case 'string':
      return s.format === 'date-time' || s.format === 'date' ? 'timestamp' : 'string';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'array': {
      const item = celTypeFromJsonSchema(s.items);
      return typeof item === 'string' ? `list<${item}>` : 'list<dyn>';
    }
    case 'object': {
      const properties = collectProperties(s);
      if (properties.size === 0) return 'map<string, dyn>';
      const out: CelSchema = {};
      for (const [k, v] of properties) out[k] = celTypeFromJsonSchema(v);
      return out;
    }
    default:
      if (s.properties && s.type === undefined) return celTypeFromJsonSchema({ ...s, type: 'object' });
      return 'dyn';
  }
}

/**
 * The properties of an object schema, including those conditional parts add (allOf, if/then/else,
 * oneOf/anyOf, dependencies), so a field that only appears when another holds is still known.
 */
function collectProperties(s: JsonSchema, into = new Map<string, unknown>()): Map<string, unknown> {
  if (s.properties) for (const [k, v] of Object.entries(s.properties)) if (!into.has(k)) into.set(k, v);
  const parts: unknown[] = [s.then, s.else, ...asArray(s.allOf), ...asArray(s.oneOf), ...asArray(s.anyOf)];
  if (s.dependencies && typeof s.dependencies === 'object') parts.push(...Object.values(s.dependencies));
  for (const p of parts)
    if (p !== null && typeof p === 'object' && !Array.isArray(p)) collectProperties(p as JsonSchema, into);
  return into;
}

const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
