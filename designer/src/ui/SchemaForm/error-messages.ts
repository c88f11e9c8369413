import type { ErrorSchema, RJSFValidationError } from '@rjsf/utils';

/** A message the form's author wrote: one text, or one per language. */
export type AuthoredMessage = string | Partial<Record<'en' | 'zh-CN', string>>;

/** The schema keyword the builder uses for a pattern's own message ("x-patternMessage"). */
export const PATTERN_MESSAGE_KEY = 'x-patternMessage';

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** The message an author wrote for a field, in the language asked for (or any it has). */
export function authoredMessage(message: unknown, language: string): string | undefined {
  if (typeof message === 'string') return message || undefined;
  if (!message || typeof message !== 'object') return undefined;
  const m = message as Record<string, unknown>;
  const own = m[language];
  if (typeof own === 'string' && own) return own;
  const any = Object.values(m).find((v) => typeof v === 'string' && v);
  return typeof any === 'string' ? any : undefined;
}

/** The sub-schema an error's schemaPath ("#/properties/phone/pattern") points into, without its keyword. */
function parentSchemaOf(root: unknown, schemaPath: string | undefined): Record<string, unknown> | undefined {
  if (!schemaPath?.startsWith('#/')) return undefined;
  const parts = schemaPath.slice(2).split('/').slice(0, -1);
  let node: unknown = root;
  for (const raw of parts) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

const KEYWORDS_WITH_LIMIT = new Set([
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
]);

/**
 * What an error says, apart from the language it is said in: a message key with its values, or the
 * author's own message (a pattern's), with the key to fall back on. A message already shown can so
 * be said again in another language without checking the form again.
 */
export type MessageSource = {
  key: string;
  options?: Record<string, unknown>;
  authored?: unknown;
};

/** The message for one broken rule (an ajv error as rjsf hands it over). */
export function messageSource(e: RJSFValidationError, schema: unknown): MessageSource {
  const params = (e.params ?? {}) as Record<string, unknown>;
  switch (e.name) {
    case 'required':
      return { key: 'schemaForm:errors.required' };
    case 'pattern':
      return {
        key: 'schemaForm:errors.pattern',
        authored: parentSchemaOf(schema, e.schemaPath)?.[PATTERN_MESSAGE_KEY],
      };
    case 'format': {
      const format = String(params.format ?? '');
      return ['email', 'date', 'date-time', 'uri'].includes(format)
        ? { key: `schemaForm:errors.format.${format}` }
        : { key: 'schemaForm:errors.format.other', options: { format } };
    }
    case 'type':
      return { key: 'schemaForm:errors.type', options: { types: String(params.type ?? '').split(',') } };
    case 'enum':
    case 'const':
    case 'oneOf':
    case 'anyOf':
      return { key: 'schemaForm:errors.enum' };
    default:
      return e.name && KEYWORDS_WITH_LIMIT.has(e.name)
        ? { key: `schemaForm:errors.${e.name}`, options: { limit: params.limit } }
        : { key: 'schemaForm:errors.other' };
  }
}

/** A message in the given language (t translates into that same language). */
export function sayMessage(
  source: MessageSource,
  { t, language }: { t: Translate; language: string },
): string {
  const authored = authoredMessage(source.authored, language);
  if (authored) return authored;
  const types = source.options?.types;
  if (Array.isArray(types))
    return t(source.key, {
      type: types.map((ty) => t(`schemaForm:types.${ty}`, { defaultValue: ty })).join(' / '),
    });
  return t(source.key, source.options);
}

/**
 * Puts ajv's messages into the reader's language (rjsf's transformErrors): one short sentence
 * per broken rule, shown beside its field (the label is already beside it, so it is not repeated).
 * A pattern carries its author's message when the schema gives one. Each message's source goes
 * into `sources` when given, keyed by the message, so it can be said again in another language.
 */
export function localizeErrors(
  errors: readonly RJSFValidationError[],
  {
    t,
    language,
    schema,
    sources,
  }: { t: Translate; language: string; schema: unknown; sources?: Map<string, MessageSource> },
): RJSFValidationError[] {
  // "must match the then schema" repeats what the field's own error says (as the server drops it)
  return errors
    .filter((e) => e.name !== 'if')
    .map((e) => {
      const source = messageSource(e, schema);
      const message = sayMessage(source, { t, language });
      sources?.set(message, source);
      return { ...e, message, stack: `${e.property ?? ''} ${message}`.trim() };
    });
}

/** "/address/city", "address.city" or "address/city" as the property names on the way. */
export function pathSegments(path: string): string[] {
  const trimmed = path.replace(/^#/, '');
  const parts = trimmed.includes('/') ? trimmed.split('/') : trimmed.split('.');
  return parts.filter((p) => p !== '').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * The server's messages (field path -> message, a JSON pointer or a dotted path) as rjsf's error
 * tree, so each shows beside the field it names; a path naming no field ("/" or "") lands on the
 * form itself.
 */
export function serverErrorSchema(
  errors: Readonly<Record<string, string>> | undefined,
): ErrorSchema | undefined {
  if (!errors) return undefined;
  const entries = Object.entries(errors).filter(([, m]) => typeof m === 'string' && m !== '');
  if (entries.length === 0) return undefined;
  const root: Record<string, unknown> = {};
  for (const [path, message] of entries) {
    let node = root;
    for (const segment of pathSegments(path)) {
      const next = (node[segment] ?? {}) as Record<string, unknown>;
      node[segment] = next;
      node = next;
    }
    const list = (node.__errors ?? []) as string[];
    node.__errors = [...list, message];
  }
  return root as ErrorSchema;
}
