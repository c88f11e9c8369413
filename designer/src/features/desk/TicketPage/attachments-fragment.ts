import { graphql } from '../../../graphql/graphql.ts';

/** What the ticket page's attachments card reads of a ticket. */
export const AttachmentsFragment = graphql(`
  fragment DeskTicketAttachments on Ticket {
    id
    attachments {
      id
      name
      size
      url
    }
  }
`);
