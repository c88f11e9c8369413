import { graphql } from '../../../graphql/graphql.ts';
import { SlaClockFragment } from '../SlaCountdown/sla-clock-fragment.ts';

export const TicketRowFragment = graphql(
  `
  fragment DeskTicketRow on Ticket {
    id
    number
    title
    status
    statusName
    priority
    channel
    createdAt
    updatedAt
    assignee {
      id
      name
    }
    team {
      id
      name
    }
    requester {
      id
      name
    }
    template {
      id
      name
    }
    slaClocks {
      ...DeskSlaClock
    }
  }
`,
  [SlaClockFragment],
);

export const DeskTicketsQuery = graphql(
  `
    query DeskTickets($filter: TicketFilter, $orderBy: TicketOrder, $first: Int, $after: String, $countUpTo: Int!) {
      tickets(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
        countUpTo(upTo: $countUpTo)
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            ...DeskTicketRow
          }
        }
      }
    }
  `,
  [TicketRowFragment],
);

/** What the filters offer: templates (with categories), teams, people, statuses, channels, org units. */
export const DeskChoicesQuery = graphql(`
  query DeskChoices {
    templates {
      id
      key
      name
      published {
        content {
          categoryPath
        }
      }
    }
    teams {
      id
      name
    }
    users {
      id
      name
    }
    ticketStatuses {
      id
      name
      category
    }
    channels {
      key
      title
      titles {
        locale
        text
      }
      isInbound
    }
    orgUnits {
      id
      name
      path
    }
  }
`);
