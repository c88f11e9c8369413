import { graphql } from '../../../graphql/graphql.ts';

/** What an admin mutation answers when it refuses: the typed error's words and, for bad input, each field's. */
export const RefusalFragment = graphql(`
  fragment Refusal on Error @_unmask {
    __typename
    message
    ... on ValidationError {
      fields {
        path
        message
      }
    }
  }
`);
