import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

/**
 * `graphql(...)` documents are typed from server/schema.graphql (through graphql-env.d.ts, which
 * `npm run typecheck` writes): a field the server does not have fails the typecheck, and every
 * result type is inferred from the document. Components declare fragments beside themselves and
 * read them with readFragment; pages compose them into one query.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: { DateTime: string; JSON: unknown; ID: string };
}>();

export type { FragmentOf, ResultOf, TadaDocumentNode, VariablesOf } from 'gql.tada';
export { readFragment } from 'gql.tada';
