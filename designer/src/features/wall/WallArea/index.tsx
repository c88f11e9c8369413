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
import { SectionTitle } from '../../../ui/Text/index.tsx';

// Counts within the viewer's scope (the server applies it to every list, totals included).
const WallQuery = graphql(`
  query WallCounts($today: DateTime!) {
    createdToday: tickets(first: 1, filter: { createdAfter: $today }) {
      totalCount
    }
    new: tickets(first: 1, filter: { status: [new] }) {
      totalCount
    }
    open: tickets(first: 1, filter: { status: [open] }) {
      totalCount
    }
    pending: tickets(first: 1, filter: { status: [pending] }) {
      totalCount
    }
    onHold: tickets(first: 1, filter: { status: [on_hold] }) {
      totalCount
    }
    solved: tickets(first: 1, filter: { status: [solved] }) {
      totalCount
    }
  }
`);

function WallBoard() {
  const { t } = useTranslation(['wall', 'shell']);
  const [today] = useState(() => dayjs().startOf('day').toISOString());
  const { data, error, isLoading, refetch } = useQuery(WallQuery, { today });
  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  const statuses = [
    ['new', data?.new],
    ['open', data?.open],
    ['pending', data?.pending],
    ['on_hold', data?.onHold],
    ['solved', data?.solved],
  ] as const;
  return (
    <>
      <PageHeading title={t('title')} />
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8}>
          <Card>
            <Statistic title={t('createdToday')} value={data?.createdToday?.totalCount ?? 0} />
          </Card>
        </Col>
      </Row>
      <SectionTitle>{t('byStatus')}</SectionTitle>
      <Row gutter={[16, 16]}>
        {statuses.map(([status, count]) => (
          <Col key={status} xs={12} md={8} lg={4}>
            <Card>
              <Statistic title={t(`shell:status.${status}`)} value={count?.totalCount ?? 0} />
            </Card>
          </Col>
        ))}
      </Row>
    </>
  );
}

/** /wall: today's figures at a glance; the live board comes with the reports and wall issue. */
export default function WallArea() {
  return (
    <Routes>
      <Route index element={<WallBoard />} />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
