import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import {
  type DocumentNode,
  GraphQLError,
  Lexer,
  parse,
  Source,
  TokenKind,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * What a query may ask for. Tokens, directives and aliases are counted by a scan of the text that
 * stops at the first limit passed, before any document is built, so a hostile body costs little;
 * depth and cost are checked on the document during validation. Each refusal says which limit,
 * in plain words, with a code.
 */
export const QUERY_LIMITS = {
  tokens: 10_000,
  directives: 50,
  aliases: 30,
  depth: 12,
  cost: 20_000,
} as const;

/** The codes of the refusals above that come from the scan, before any document is built. */
export const SCAN_LIMIT_CODES: ReadonlySet<string> = new Set([
  'QUERY_TOO_LONG',
  'TOO_MANY_DIRECTIVES',
  'TOO_MANY_ALIASES',
]);

const limitError = (code: string, message: string, limit: number) =>
  new GraphQLError(message, { extensions: { code, limit } });

/** Counts tokens, directives and aliases (a name and a colon outside any argument list). */
export function scanQuery(text: string, limits = QUERY_LIMITS): void {
  const lexer = new Lexer(new Source(text));
  let tokens = 0;
  let directives = 0;
  let aliases = 0;
  let parens = 0;
  let previous: TokenKind | null = null;
  for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
    if (++tokens > limits.tokens)
      throw limitError(
        'QUERY_TOO_LONG',
        `The query has more than ${limits.tokens} tokens (names, punctuation, values): split it into smaller ones.`,
        limits.tokens,
      );
    if (token.kind === TokenKind.AT && ++directives > limits.directives)
      throw limitError(
        'TOO_MANY_DIRECTIVES',
        `The query uses more than ${limits.directives} directives.`,
        limits.directives,
      );
    if (token.kind === TokenKind.PAREN_L) parens++;
    else if (token.kind === TokenKind.PAREN_R) parens = Math.max(0, parens - 1);
    else if (
      token.kind === TokenKind.COLON &&
      parens === 0 &&
      previous === TokenKind.NAME &&
      ++aliases > limits.aliases
    )
      throw limitError(
        'TOO_MANY_ALIASES',
        `The query uses more than ${limits.aliases} aliases: ask for fewer fields under other names.`,
        limits.aliases,
      );
    previous = token.kind;
  }
}

/** Parses after the scan; graphql's own token cap backs it up. */
export function parseLimited(source: string | Source): DocumentNode {
  const text = typeof source === 'string' ? source : source.body;
  scanQuery(text);
  return parse(source, { maxTokens: QUERY_LIMITS.tokens + 1 });
}

const found = (e: GraphQLError): string => /found (\d+)/.exec(e.message)?.[1] ?? 'more';

/** The limits as yoga plugins: the scan replaces the parser; depth and cost are validation rules. */
export function queryLimitPlugins(): Plugin[] {
  const report =
    (code: string, words: (e: GraphQLError) => string, limit: number) =>
    (ctx: ValidationContext | null, e: GraphQLError) =>
      ctx?.reportError(limitError(code, words(e), limit));
  return [
    { onParse: ({ setParseFn }) => setParseFn((source) => parseLimited(source)) },
    maxDepthPlugin({
      n: QUERY_LIMITS.depth,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [
        report(
          'QUERY_TOO_DEEP',
          (e) => `The query nests fields ${found(e)} levels deep; the depth limit is ${QUERY_LIMITS.depth}.`,
          QUERY_LIMITS.depth,
        ),
      ],
    }) as Plugin,
    costLimitPlugin({
      maxCost: QUERY_LIMITS.cost,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [
        report(
          'QUERY_TOO_COSTLY',
          (e) =>
            `The query would cost ${found(e)} (about one per field, times list sizes); at most ${QUERY_LIMITS.cost}: ask for fewer fields or smaller pages.`,
          QUERY_LIMITS.cost,
        ),
      ],
    }) as Plugin,
  ];
}

/** Introspection (__schema, __type) for signed-in callers only: used in production. */
export function staffOnlyIntrospection(): Plugin<{ principal?: unknown }> {
  const rule = (context: ValidationContext) => ({
    Field(node: { name: { value: string } }) {
      if (node.name.value === '__schema' || node.name.value === '__type')
        context.reportError(
          new GraphQLError('Introspection is only for signed-in users on this server (production mode).', {
            extensions: { code: 'INTROSPECTION_DISABLED' },
          }),
        );
    },
  });
  return {
    onValidate: ({ addValidationRule, context }) => {
      if (!context.principal) addValidationRule(rule as never);
    },
  };
}
