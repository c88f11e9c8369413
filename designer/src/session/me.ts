import { graphql, type ResultOf } from '../graphql/graphql.ts';

/** Who is signed in and what they may do: the header, the navigation and the route guards read it. */
export const MeFragment = graphql(`
  fragment Me on Me @_unmask {
    kind
    permissions
    dataScope
    user {
      id
      name
      email
      roles {
        key
        name
        names {
          locale
          text
        }
      }
    }
    customer {
      id
      name
      email
    }
  }
`);

export type Me = ResultOf<typeof MeFragment>;
export type Permission = NonNullable<Me['permissions']>[number];

export const MeQuery = graphql(
  `
    query Me {
      me {
        ...Me
      }
    }
  `,
  [MeFragment],
);
