import { REPORT_GROUPINGS, type ReportGrouping } from '@docket/core';
import { Button, Card, DatePicker, Select, Space, Spin, Table } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { type Cell, xlsxWorkbook } from '../xlsx-workbook.ts';

// echarts is large: the chart comes in its own chunk, after the table.
const ReportChart = lazy(() => import('./ReportChart.tsx'));

const GROUPINGS = REPORT_GROUPINGS;
type Grouping = ReportGrouping;

const ReportQuery = graphql(`
  query GroupedReport($input: TicketReportInput!) {
    ticketReport(input: $input) {
      __typename
      ... on TicketReport {
        groups { ...ReportFigures }
        totals { ...ReportFigures }
      }
      ... on Error { message }
    }
  }
  fragment ReportFigures on ReportGroup {
    key label created solved reopened backlog backlogAgeP50
    firstResponseP50 firstResponseP90 resolutionP50 resolutionP90
    sla { metric attainment }
    transfers returns rejects urges
    csatAverage csatCount csatDistribution csatResponseRate followUpRated ticketsFilter
  }
`);

type Row = {
  key: string | null;
  label: string | null;
  ticketsFilter: unknown;
  created: number;
  solved: number;
  reopened: number;
  backlog: number;
  backlogAgeP50: number | null;
  firstResponseP50: number | null;
  firstResponseP90: number | null;
  resolutionP50: number | null;
  resolutionP90: number | null;
  sla: { metric: string; attainment: number | null }[];
  transfers: number;
  returns: number;
  rejects: number;
  urges: number;
  csatAverage: number | null;
  csatCount: number;
  /** Ratings of 1 to 5 given in the period. */
  csatDistribution: number[];
  csatResponseRate: number | null;
  followUpRated: number;
};

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
const hours = (seconds: number | null) => (seconds == null ? null : round(seconds / 3600, 1));
const percent = (share: number | null | undefined) => (share == null ? null : round(share * 100, 1));
const attainment = (r: Row, metric: string) => percent(r.sla.find((s) => s.metric === metric)?.attainment);

/** The table's columns: each figure's value as a number (for XLSX) and as shown (table, CSV). */
type ColumnKey =
  | 'created'
  | 'solved'
  | 'reopened'
  | 'backlog'
  | 'backlogAgeP50'
  | 'firstResponseP50'
  | 'firstResponseP90'
  | 'resolutionP50'
  | 'resolutionP90'
  | 'firstResponseSla'
  | 'resolutionSla'
  | 'transfers'
  | 'returns'
  | 'rejects'
  | 'urges'
  | 'csatAverage'
  | 'csatCount'
  | 'csat1'
  | 'csat2'
  | 'csat3'
  | 'csat4'
  | 'csat5'
  | 'csatResponseRate'
  | 'followUpRated';
const COLUMNS: { key: ColumnKey; value: (r: Row) => number | null; digits?: number }[] = [
  { key: 'created', value: (r) => r.created },
  { key: 'solved', value: (r) => r.solved },
  { key: 'reopened', value: (r) => r.reopened },
  { key: 'backlog', value: (r) => r.backlog },
  { key: 'backlogAgeP50', value: (r) => hours(r.backlogAgeP50), digits: 1 },
  { key: 'firstResponseP50', value: (r) => hours(r.firstResponseP50), digits: 1 },
  { key: 'firstResponseP90', value: (r) => hours(r.firstResponseP90), digits: 1 },
  { key: 'resolutionP50', value: (r) => hours(r.resolutionP50), digits: 1 },
  { key: 'resolutionP90', value: (r) => hours(r.resolutionP90), digits: 1 },
  { key: 'firstResponseSla', value: (r) => attainment(r, 'first_response'), digits: 1 },
  { key: 'resolutionSla', value: (r) => attainment(r, 'resolution'), digits: 1 },
  { key: 'transfers', value: (r) => r.transfers },
  { key: 'returns', value: (r) => r.returns },
  { key: 'rejects', value: (r) => r.rejects },
  { key: 'urges', value: (r) => r.urges },
  { key: 'csatAverage', value: (r) => (r.csatAverage == null ? null : round(r.csatAverage, 2)), digits: 2 },
  { key: 'csatCount', value: (r) => r.csatCount },
  ...([1, 2, 3, 4, 5] as const).map((n) => ({
    key: `csat${n}` as const,
    value: (r: Row) => r.csatDistribution[n - 1] ?? 0,
  })),
  { key: 'csatResponseRate', value: (r) => percent(r.csatResponseRate), digits: 1 },
  { key: 'followUpRated', value: (r) => r.followUpRated },
];
const shown = (c: (typeof COLUMNS)[number], r: Row) => {
  const v = c.value(r);
  return v == null ? '' : c.digits ? v.toFixed(c.digits) : String(v);
};

/** Offers bytes as a file download. */
function download(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  URL.revokeObjectURL(url);
}

/** The rows as CSV (quoted where needed, with a BOM so spreadsheets read the UTF-8). */
function csvOf(header: string[], rows: string[][]): Blob {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const text = [header, ...rows].map((r) => r.map(cell).join(',')).join('\n');
  return new Blob([`\uFEFF${text}`], { type: 'text/csv;charset=utf-8' });
}

const deskLink = (filter: unknown) => `/desk?filter=${encodeURIComponent(JSON.stringify(filter))}`;

/**
 * A period by a grouping: a bar chart (a bar leads to its group's tickets on the desk), the table
 * of every figure (each group's name too), CSV and XLSX exports.
 */
export function GroupedReport() {
  const { t } = useTranslation('reports');
  const navigate = useNavigate();
  const [groupBy, setGroupBy] = useState<Grouping>('template');
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [
    dayjs().startOf('day').subtract(29, 'day'),
    dayjs().startOf('day'),
  ]);
  const input = useMemo(
    () => ({
      from: range[0].startOf('day').toISOString(),
      to: range[1].startOf('day').add(1, 'day').toISOString(),
      groupBy,
    }),
    [range, groupBy],
  );
  const { data, error, refetch, isLoading } = useQuery(ReportQuery, { input });
  const report = data?.ticketReport;
  const isReport = report?.__typename === 'TicketReport';
  // The fragment's fields, read as plain rows.
  const groups = useMemo(
    () => (report?.__typename === 'TicketReport' ? (report.groups ?? []) : []) as unknown as Row[],
    [report],
  );
  const totals = report?.__typename === 'TicketReport' ? (report.totals as unknown as Row) : null;
  const name = (r: Row) => (r.key === '*' ? t('total') : (r.label ?? t('none')));
  const names = useMemo(() => groups.map((g) => g.label ?? t('none')), [groups, t]);
  const series = useMemo(
    () =>
      (['created', 'solved', 'backlog'] as const).map((k) => ({
        name: t(`col.${k}`),
        values: groups.map((g) => g[k]),
      })),
    [groups, t],
  );
  if (error) return <QueryError error={error} onRetry={refetch} />;
  // Without report.read the grouped figures are not offered at all.
  if (report?.__typename === 'ForbiddenError') return null;
  const rows: Row[] = totals ? [...groups, totals] : groups;
  const header = [t(`by.${groupBy}`), ...COLUMNS.map((c) => t(`col.${c.key}`))];
  const fileName = `report-${groupBy}-${range[0].format('YYYYMMDD')}-${range[1].format('YYYYMMDD')}`;

  return (
    <Card
      title={t('grouped')}
      style={{ marginTop: 16 }}
      extra={
        <Space wrap>
          <DatePicker.RangePicker
            aria-label={t('period')}
            allowClear={false}
            value={range}
            onChange={(v) => (v?.[0] && v[1] ? setRange([v[0], v[1]]) : undefined)}
          />
          <Select
            aria-label={t('groupBy')}
            value={groupBy}
            onChange={setGroupBy}
            style={{ width: 160 }}
            options={GROUPINGS.map((g) => ({ value: g, label: t(`by.${g}`) }))}
          />
          <Button
            onClick={() =>
              download(
                `${fileName}.csv`,
                csvOf(
                  header,
                  rows.map((r) => [name(r), ...COLUMNS.map((c) => shown(c, r))]),
                ),
              )
            }
          >
            {t('csv')}
          </Button>
          <Button
            onClick={() => {
              const cells: Cell[][] = rows.map((r) => [name(r), ...COLUMNS.map((c) => c.value(r))]);
              const bytes = xlsxWorkbook(t(`by.${groupBy}`), header, cells);
              download(
                `${fileName}.xlsx`,
                new Blob([bytes as BlobPart], {
                  type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
                }),
              );
            }}
          >
            {t('xlsx')}
          </Button>
        </Space>
      }
    >
      {report && !isReport && 'message' in report ? <p role="alert">{report.message}</p> : null}
      {groups.length > 0 ? (
        <Suspense fallback={<Spin style={{ display: 'block', height: 300 }} />}>
          <ReportChart
            label={t('chartLabel', { grouping: t(`by.${groupBy}`) })}
            categories={names}
            series={series}
            onPick={(i) => {
              const filter = groups[i]?.ticketsFilter;
              if (filter) navigate(deskLink(filter));
            }}
          />
        </Suspense>
      ) : null}
      <Table<Row>
        size="small"
        loading={isLoading}
        rowKey={(r) => String(r.key)}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        columns={[
          {
            title: header[0],
            key: 'name',
            fixed: 'left',
            render: (_v, r) =>
              r.ticketsFilter ? <Link to={deskLink(r.ticketsFilter)}>{name(r)}</Link> : name(r),
          },
          ...COLUMNS.map((c, i) => ({
            title: header[i + 1],
            key: c.key,
            align: 'right' as const,
            render: (_v: unknown, r: Row) => shown(c, r),
          })),
        ]}
      />
    </Card>
  );
}
