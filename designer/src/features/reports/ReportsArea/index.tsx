import { Card, Col, Row, Statistic } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { GroupedReport } from './GroupedReport.tsx';

const OverviewQuery = graphql(`
  query ReportsOverview($today: DateTime!, $week: DateTime!, $month: DateTime!) {
    today: tickets(first: 1, filter: { createdAfter: $today }) {
      totalCount
    }
    week: tickets(first: 1, filter: { createdAfter: $week }) {
      totalCount
    }
    month: tickets(first: 1, filter: { createdAfter: $month }) {
      totalCount
    }
    backlog: tickets(first: 1, filter: { status: [new, open, pending, on_hold] }) {
      totalCount
    }
  }
`);

function Overview() {
  const { t } = useTranslation('reports');
  const [since] = useState(() => {
    const today = dayjs().startOf('day');
    return {
      today: today.toISOString(),
      week: today.subtract(6, 'day').toISOString(),
      month: today.subtract(29, 'day').toISOString(),
    };
  });
  const { data, error, isLoading, refetch } = useQuery(OverviewQuery, since);
  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  return (
    <>
      <PageHeading title={t('title')} />
      <Card title={t('created')}>
        <Row gutter={[16, 16]}>
          <Col xs={24} md={8}>
            <Statistic title={t('today')} value={data?.today?.totalCount ?? 0} />
          </Col>
          <Col xs={24} md={8}>
            <Statistic title={t('week')} value={data?.week?.totalCount ?? 0} />
          </Col>
          <Col xs={24} md={8}>
            <Statistic title={t('month')} value={data?.month?.totalCount ?? 0} />
          </Col>
        </Row>
      </Card>
      <Card title={t('backlog')} style={{ marginTop: 16 }}>
        <Statistic value={data?.backlog?.totalCount ?? 0} />
        <Text>{t('backlogHint')}</Text>
      </Card>
      <GroupedReport />
    </>
  );
}

/** /reports: the overview, then every metric by group over a period, with its chart, drill-downs and exports. */
export default function ReportsArea() {
  return (
    <Routes>
      <Route index element={<Overview />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
