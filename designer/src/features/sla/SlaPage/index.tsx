import { App, Button, Card, Col, List, Row, Space, Tag, theme } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { type QueryState, useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { PolicyEditor } from '../PolicyEditor/index.tsx';
import { moveItem } from '../policy-order.ts';
import { SlaTestPanel } from '../SlaTestPanel/index.tsx';
import { type SlaData, SlaQuery } from '../sla-query.ts';

const Reorder = graphql(
  `
  mutation ReorderSlaPolicies($ids: [ID!]!) {
    reorderSlaPolicies(ids: $ids) {
      __typename
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

/** /admin/sla, /admin/sla/<id> and /admin/sla/new. */
export default function SlaRoutes() {
  const query = useQuery(SlaQuery, {});
  return (
    <Routes>
      <Route index element={<SlaPage query={query} />} />
      <Route path=":id" element={<SlaPage query={query} />} />
    </Routes>
  );
}

function SlaPage({ query }: { query: QueryState<SlaData> }) {
  const { t } = useTranslation(['sla', 'admin']);
  const { message } = App.useApp();
  const { token } = theme.useToken();
  const navigate = useNavigate();
  const { id } = useParams();
  const { data, error, refetch } = query;
  const policies = data?.slaPolicies ?? [];
  const [dragFrom, setDragFrom] = useState<number | null>(null);
  const [dropAt, setDropAt] = useState<number | null>(null);
  const editing = id === 'new' ? 'new' : policies.find((p) => p.id === id);

  const reorder = async (from: number, to: number) => {
    const next = moveItem(policies, from, to);
    if (next.every((p, i) => p === policies[i])) return;
    const r = await mutate(Reorder, { ids: next.map((p) => p.id ?? '') });
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('reordered'));
    refetch();
  };

  return (
    <>
      <PageHeading
        title={t('title')}
        extra={
          <Button type="primary" onClick={() => navigate('/admin/sla/new')}>
            {t('create')}
          </Button>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      <Row gutter={16}>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('order')}>
            <Text as="p">{t('orderHelp')}</Text>
            <List
              loading={!data && !error}
              dataSource={policies}
              renderItem={(p, index) => (
                <List.Item
                  draggable
                  data-testid={`policy-${p.id}`}
                  onDragStart={(e) => {
                    setDragFrom(index);
                    e.dataTransfer.effectAllowed = 'move';
                    e.dataTransfer.setData('text/plain', String(index));
                  }}
                  onDragOver={(e) => {
                    e.preventDefault();
                    setDropAt(index);
                  }}
                  onDragEnd={() => {
                    setDragFrom(null);
                    setDropAt(null);
                  }}
                  onDrop={(e) => {
                    e.preventDefault();
                    const from = dragFrom ?? Number(e.dataTransfer.getData('text/plain'));
                    setDragFrom(null);
                    setDropAt(null);
                    void reorder(from, index);
                  }}
                  style={{
                    cursor: 'grab',
                    paddingInline: 8,
                    background: p.id === id ? token.controlItemBgActive : undefined,
                    borderTop:
                      dropAt === index && dragFrom !== null && dragFrom > index
                        ? `2px solid ${token.colorPrimary}`
                        : undefined,
                    borderBottom:
                      dropAt === index && dragFrom !== null && dragFrom < index
                        ? `2px solid ${token.colorPrimary}`
                        : undefined,
                  }}
                  actions={[
                    <Button
                      key="up"
                      size="small"
                      aria-label={`${t('admin:actions.moveUp')} ${p.name}`}
                      disabled={index === 0}
                      onClick={() => reorder(index, index - 1)}
                    >
                      ↑
                    </Button>,
                    <Button
                      key="down"
                      size="small"
                      aria-label={`${t('admin:actions.moveDown')} ${p.name}`}
                      disabled={index === policies.length - 1}
                      onClick={() => reorder(index, index + 1)}
                    >
                      ↓
                    </Button>,
                  ]}
                >
                  <Space direction="vertical" size={0}>
                    <Link to={`/admin/sla/${p.id}`}>
                      {index + 1}. {p.name}
                    </Link>
                    <Text>
                      {p.condition ? <code>{p.condition}</code> : t('always')}{' '}
                      {p.isActive ? null : <Tag>{t('inactive')}</Tag>}
                    </Text>
                  </Space>
                </List.Item>
              )}
            />
          </Card>
          {data ? <SlaTestPanel data={data} /> : null}
        </Col>
        <Col xs={24} lg={16}>
          {data && editing ? (
            <PolicyEditor
              key={editing === 'new' ? 'new' : editing.id}
              policy={editing === 'new' ? null : editing}
              nextPosition={(policies.at(-1)?.position ?? 0) + 10}
              data={data}
              onSaved={(savedId) => {
                refetch();
                navigate(`/admin/sla/${savedId}`);
              }}
            />
          ) : (
            <Text as="p">{t('pick')}</Text>
          )}
        </Col>
      </Row>
    </>
  );
}
