import { Button, Card, Descriptions, Result, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Code, Text } from '../../../ui/Text/index.tsx';

const WorkflowQuery = graphql(`
  query Workflow($key: String!) {
    workflow(key: $key) {
      id
      key
      name
      latestVersion
      createdAt
      updatedAt
      draft {
        nodes {
          id
        }
        edges {
          id
        }
      }
      draftProblems {
        code
        nodeId
        path
        message
      }
      versions {
        id
        version
        publishedAt
        publishedBy {
          name
        }
      }
    }
  }
`);

/** /admin/workflows/<key>: the workflow's facts, draft problems and versions (the designer grows here). */
export default function WorkflowDetailPage() {
  const { t } = useTranslation('workflows');
  const navigate = useNavigate();
  const key = useParams().key ?? '';
  const { data, error, isLoading, refetch } = useQuery(WorkflowQuery, { key });

  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  const workflow = data?.workflow;
  if (!workflow)
    return (
      <Result
        status="404"
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('detail.notFound.title', { key })}</h1>}
        subTitle={t('detail.notFound.subtitle')}
        extra={
          <Button type="primary" onClick={() => navigate('/admin/workflows')}>
            {t('detail.back')}
          </Button>
        }
      />
    );
  const problems = workflow.draftProblems ?? [];
  const versions = workflow.versions ?? [];

  return (
    <>
      <Link to="/admin/workflows">← {t('detail.back')}</Link>
      <PageHeading
        title={workflow.name}
        extra={
          <Space>
            <Code>{workflow.key}</Code>
            {workflow.latestVersion ? (
              <Tag color="blue">{t('list.version', { version: workflow.latestVersion })}</Tag>
            ) : (
              <Tag>{t('list.notPublished')}</Tag>
            )}
          </Space>
        }
      />
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Card title={t('detail.facts')}>
          <Descriptions
            column={{ xs: 1, md: 2 }}
            items={[
              { key: 'key', label: t('detail.key'), children: workflow.key },
              {
                key: 'latestVersion',
                label: t('detail.latestVersion'),
                children: workflow.latestVersion
                  ? t('list.version', { version: workflow.latestVersion })
                  : t('list.notPublished'),
              },
              { key: 'nodes', label: t('detail.draftNodes'), children: workflow.draft?.nodes?.length ?? 0 },
              { key: 'edges', label: t('detail.draftEdges'), children: workflow.draft?.edges?.length ?? 0 },
              {
                key: 'createdAt',
                label: t('detail.createdAt'),
                children: <DateTime value={workflow.createdAt} />,
              },
              {
                key: 'updatedAt',
                label: t('detail.updatedAt'),
                children: <DateTime value={workflow.updatedAt} />,
              },
            ]}
          />
        </Card>
        <Card title={t('detail.problems.title')}>
          {problems.length === 0 ? (
            <Text tone="success">{t('detail.problems.none')}</Text>
          ) : (
            <Table
              size="small"
              pagination={false}
              rowKey={(p) => `${p.nodeId}${p.path}${p.code}`}
              dataSource={problems}
              columns={[
                { key: 'node', title: t('detail.problems.node'), dataIndex: 'nodeId' },
                {
                  key: 'path',
                  title: t('detail.problems.path'),
                  render: (_, p) => <Code>{p.path}</Code>,
                },
                { key: 'message', title: t('detail.problems.message'), dataIndex: 'message' },
              ]}
            />
          )}
        </Card>
        <Card title={t('detail.versions.title')}>
          <Table
            size="small"
            pagination={false}
            rowKey={(v) => v.id ?? String(v.version)}
            dataSource={versions}
            locale={{ emptyText: t('detail.versions.none') }}
            columns={[
              {
                key: 'version',
                title: t('detail.versions.version'),
                render: (_, v) => t('list.version', { version: v.version ?? 0 }),
              },
              {
                key: 'publishedAt',
                title: t('detail.versions.publishedAt'),
                render: (_, v) => <DateTime value={v.publishedAt} />,
              },
              {
                key: 'publishedBy',
                title: t('detail.versions.publishedBy'),
                render: (_, v) => v.publishedBy?.name,
              },
            ]}
          />
        </Card>
      </Space>
    </>
  );
}
