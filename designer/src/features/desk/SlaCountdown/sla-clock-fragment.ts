import { graphql } from '../../../graphql/graphql.ts';

/** What a countdown reads of an SLA clock (the ticket page, its live updates and the list's rows). */
export const SlaClockFragment = graphql(`
  fragment DeskSlaClock on SlaClock @_unmask {
    metric
    status
    dueAt
    targetSeconds
    businessSecondsLeft
  }
`);
