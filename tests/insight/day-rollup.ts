import { REPORT_GROUPINGS } from '@docket/core';
import { expect } from 'vitest';
import type { TestServer } from '../helpers/test-server.ts';

/**
 * Checks the reports' day rollup against the per-ticket facts on the same tickets. A period of
 * whole days in the server's zone (Asia/Shanghai in tests) is answered from the day rollup for a
 * caller who sees every ticket; the same instants moved by a millisecond are not whole days, so
 * they are answered from the facts of each ticket alone. Every count, time and rating of every
 * grouping must agree (the backlog's age aside: it runs to the period's end), and the rollup must
 * have answered (its rows add up to the tickets created in the period).
 */

const REPORT = `query($input: TicketReportInput!) {
  ticketReport(input: $input) {
    __typename
    ... on TicketReport { groups { ...G } totals { ...G } }
    ... on Error { message }
  }
}
fragment G on ReportGroup {
  key label created solved reopened backlog firstResponseP50 firstResponseP90 resolutionP50 resolutionP90
  sla { metric met breached } transfers returns rejects urges
  csatAverage csatCount csatDistribution csatAsked followUpRated
}`;

type Group = Record<string, unknown> & { key: string | null };

export async function expectDayRollupToAgree(
  s: TestServer,
  token: string,
  period: { from: string; to: string },
): Promise<Group> {
  const ms = (iso: string, by: number) => new Date(Date.parse(iso) + by).toISOString();
  const read = async (from: string, to: string, groupBy: string) => {
    const r = (await s.gql(REPORT, { input: { from, to, groupBy } }, token)).data!.ticketReport;
    expect(r.__typename).toBe('TicketReport');
    return r as { groups: Group[]; totals: Group };
  };
  let totals: Group | undefined;
  for (const groupBy of REPORT_GROUPINGS) {
    const days = await read(period.from, period.to, groupBy);
    const tickets = await read(ms(period.from, -1), ms(period.to, -1), groupBy);
    const byKey = (groups: Group[]) =>
      Object.fromEntries(groups.map((g) => [String(g.key), g])) as Record<string, Group>;
    expect({ groupBy, groups: byKey(days.groups) }).toEqual({ groupBy, groups: byKey(tickets.groups) });
    expect({ groupBy, totals: days.totals }).toEqual({ groupBy, totals: tickets.totals });
    totals = days.totals;
  }
  const [zone] = await s.sql<{ zone: string }>('select zone from report_day_zone');
  expect(zone?.zone).toBe('Asia/Shanghai');
  const [sum] = await s.sql<{ created: number }>(
    `select coalesce(sum(created), 0)::int as created from report_day
      where day >= (?::timestamptz at time zone 'Asia/Shanghai')::date
        and day < (?::timestamptz at time zone 'Asia/Shanghai')::date`,
    [period.from, period.to],
  );
  expect(sum!.created).toBe(totals!.created);
  return totals!;
}
