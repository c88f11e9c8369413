/** What a ticket report may group by: the server's query, the reports page and the benchmark use this one list. */
export const REPORT_GROUPINGS = [
  'template',
  'category',
  'team',
  'agent',
  'org_unit',
  'channel',
  'priority',
  'customer_tier',
] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];
