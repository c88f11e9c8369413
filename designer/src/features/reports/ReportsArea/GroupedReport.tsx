import { Button, Card, Select, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { QueryError } from '../../../ui/QueryError/index.tsx';

const GROUPINGS = ['template', 'category', 'team', 'agent', 'org_unit', 'channel', 'priority'] as const;
type Grouping = (typeof GROUPINGS)[number];

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
    key label created solved reopened backlog firstResponseP50 firstResponseP90 resolutionP50 resolutionP90
    csatAverage csatCount ticketsFilter
  }
`);

const COLUMNS = [
  'created',
  'solved',
  'reopened',
  'backlog',
  'firstResponseP50',
  'firstResponseP90',
  'resolutionP50',
  'resolutionP90',
  'csatAverage',
  'csatCount',
] as const;
type Row = { key: string | null; label: string | null; ticketsFilter: unknown } & Record<
  (typeof COLUMNS)[number],
  number | null
>;

const hours = (seconds: number | null) => (seconds == null ? '' : (seconds / 3600).toFixed(1));
const shown = (c: (typeof COLUMNS)[number], v: number | null) =>
  c.startsWith('firstResponse') || c.startsWith('resolution')
    ? hours(v)
    : c === 'csatAverage' && v != null
      ? v.toFixed(2)
      : String(v ?? '');

/** Writes the rows as CSV (quoted where needed) and offers the file. */
function exportCsv(header: string[], rows: string[][]) {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const text = [header, ...rows].map((r) => r.map(cell).join(',')).join('\n');
  const url = URL.createObjectURL(new Blob([`\uFEFF${text}`], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = 'report.csv';
  a.click();
  URL.revokeObjectURL(url);
}

/** The last 30 days by a grouping: a table, a CSV export, and each group's tickets on the desk. */
export function GroupedReport() {
  const { t } = useTranslation('reports');
  const [groupBy, setGroupBy] = useState<Grouping>('template');
  const [period] = useState(() => ({
    from: dayjs().startOf('day').subtract(29, 'day').toISOString(),
    to: dayjs().startOf('day').add(1, 'day').toISOString(),
  }));
  const { data, error, refetch, isLoading } = useQuery(ReportQuery, { input: { ...period, groupBy } });
  if (error) return <QueryError error={error} onRetry={refetch} />;
  const report = data?.ticketReport;
  // Without report.read the grouped figures are not offered at all.
  if (report?.__typename === 'ForbiddenError') return null;
  const rows: Row[] =
    report?.__typename === 'TicketReport'
      ? ([...(report.groups ?? []), report.totals] as unknown as Row[])
      : [];
  const name = (r: Row) => (r.key === '*' ? t('total') : (r.label ?? t('none')));
  const header = [t(`by.${groupBy}`), ...COLUMNS.map((c) => t(`col.${c}`))];
  return (
    <Card
      title={t('grouped')}
      style={{ marginTop: 16 }}
      extra={
        <Space>
          <Select
            value={groupBy}
            onChange={setGroupBy}
            style={{ width: 160 }}
            options={GROUPINGS.map((g) => ({ value: g, label: t(`by.${g}`) }))}
          />
          <Button
            onClick={() =>
              exportCsv(
                header,
                rows.map((r) => [name(r), ...COLUMNS.map((c) => shown(c, r[c]))]),
              )
            }
          >
            {t('csv')}
          </Button>
        </Space>
      }
    >
      {report?.__typename !== 'TicketReport' && report && 'message' in report ? (
        <p>{report.message}</p>
      ) : null}
      <Table<Row>
        size="small"
        loading={isLoading}
        rowKey={(r) => String(r.key)}
        dataSource={rows}
        pagination={false}
        columns={[
          {
            title: header[0],
            key: 'name',
            render: (_v, r) =>
              r.ticketsFilter ? (
                <Link to={`/desk?filter=${encodeURIComponent(JSON.stringify(r.ticketsFilter))}`}>
                  {name(r)}
                </Link>
              ) : (
                name(r)
              ),
          },
          ...COLUMNS.map((c, i) => ({
            title: header[i + 1],
            key: c,
            render: (_v: unknown, r: Row) => shown(c, r[c]),
          })),
        ]}
      />
    </Card>
  );
}
