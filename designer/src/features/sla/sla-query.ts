/* What the SLA pages read, and the priorities a policy targets: shared by the page, the editor and the test panel. */
import { graphql, type ResultOf } from '../../graphql/graphql.ts';

export const SlaQuery = graphql(`
  query AdminSla {
    slaPolicies(includeInactive: true) { id name position condition calendarKey pauseStatuses targets actions isActive }
    businessCalendars { key name }
    ticketStatuses { name category }
    templates { key name }
    channels { key title titles { locale text } }
    teams { id name }
    orgUnits { id name parent { id } }
  }
`);

export type SlaData = ResultOf<typeof SlaQuery>;
export type Policy = NonNullable<SlaData['slaPolicies']>[number];

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
