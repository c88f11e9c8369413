/**
 * A JSON Schema object as node types write their config schemas. Only the keywords the type
 * inference below reads are named; any other keyword (format, minimum, allOf, if/then, x-cel …) is
 * allowed and passed to ajv unchanged.
 */
export type JsonSchema = {
  readonly type?: JsonSchemaTypeName | readonly JsonSchemaTypeName[];
  readonly properties?: { readonly [key: string]: JsonSchema };
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly title?: string;
  readonly description?: string;
  readonly [keyword: string]: unknown;
};

export type JsonSchemaTypeName = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type TypeNameToType<N> = N extends 'string'
  ? string
  : N extends 'number' | 'integer'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : N extends 'array'
          ? unknown[]
          : N extends 'object'
            ? Record<string, unknown>
            : never;

type ObjectFromProperties<P, R> = Simplify<
  { -readonly [K in keyof P as K extends R ? K : never]: FromSchema<P[K]> } & {
    -readonly [K in keyof P as K extends R ? never : K]?: FromSchema<P[K]>;
  }
>;

type RequiredOf<S> = S extends { readonly required: readonly (infer R)[] } ? R : never;

/**
 * The TypeScript type of the values a JSON Schema accepts, for the subset node configs use:
 * const, enum, oneOf/anyOf, type (one or several), properties with required, items.
 * Anything it cannot read (allOf, if/then, $ref) widens to `unknown` rather than guessing.
 */
export type FromSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: readonly (infer E)[] }
    ? E
    : S extends { readonly oneOf: readonly (infer U)[] }
      ? FromSchema<U>
      : S extends { readonly anyOf: readonly (infer U)[] }
        ? FromSchema<U>
        : S extends { readonly type: 'array'; readonly items: infer I }
          ? FromSchema<I>[]
          : S extends { readonly type: 'object'; readonly properties: infer P }
            ? ObjectFromProperties<P, RequiredOf<S>>
            : S extends { readonly type: 'object'; readonly additionalProperties: infer A extends JsonSchema }
              ? Record<string, FromSchema<A>>
              : S extends { readonly type: infer N extends string }
                ? TypeNameToType<N>
                : S extends { readonly type: readonly (infer N)[] }
                  ? TypeNameToType<N>
                  : unknown;
