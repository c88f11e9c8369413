import { Button, Card, Descriptions, Result, Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Code } from '../../../ui/Text/index.tsx';
import { categoryLabel } from '../category.ts';

const TemplateQuery = graphql(`
  query Template($key: String!) {
    template(key: $key) {
      id
      key
      name
      latestVersion
      isArchived
      updatedAt
      draft {
        name
        categoryPath
        defaultPriority
        numberPattern
        workflowKey
        formSchema
      }
      versions {
        id
        version
        publishedAt
        publishedBy {
          name
        }
        workflowVersion {
          version
        }
      }
    }
  }
`);

/** The top-level fields of a form's JSON Schema (its properties). */
function fieldCount(schema: unknown): number {
  if (!schema || typeof schema !== 'object') return 0;
  const properties = (schema as Record<string, unknown>).properties;
  return properties && typeof properties === 'object' ? Object.keys(properties).length : 0;
}

/** /admin/templates/<key>: the template's draft facts and versions (the form builder grows here). */
export default function TemplateDetailPage() {
  const { t } = useTranslation(['forms', 'shell']);
  const navigate = useNavigate();
  const key = useParams().key ?? '';
  const { data, error, isLoading, refetch } = useQuery(TemplateQuery, { key });

  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  const template = data?.template;
  if (!template)
    return (
      <Result
        status="404"
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('detail.notFound.title', { key })}</h1>}
        subTitle={t('detail.notFound.subtitle')}
        extra={
          <Button type="primary" onClick={() => navigate('/admin/templates')}>
            {t('detail.back')}
          </Button>
        }
      />
    );
  const draft = template.draft;
  const versions = template.versions ?? [];

  return (
    <>
      <Link to="/admin/templates">← {t('detail.back')}</Link>
      <PageHeading
        title={template.name}
        extra={
          <Space>
            <Code>{template.key}</Code>
            {template.isArchived ? <Tag>{t('list.archived')}</Tag> : null}
            {template.latestVersion ? (
              <Tag color="blue">{t('list.version', { version: template.latestVersion })}</Tag>
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
              { key: 'key', label: t('detail.key'), children: template.key },
              { key: 'category', label: t('detail.category'), children: categoryLabel(draft?.categoryPath) },
              {
                key: 'latestVersion',
                label: t('detail.latestVersion'),
                children: template.latestVersion
                  ? t('list.version', { version: template.latestVersion })
                  : t('list.notPublished'),
              },
              {
                key: 'defaultPriority',
                label: t('detail.defaultPriority'),
                children: draft?.defaultPriority ? t(`shell:priority.${draft.defaultPriority}`) : null,
              },
              {
                key: 'numberPattern',
                label: t('detail.numberPattern'),
                children: <Code>{draft?.numberPattern}</Code>,
              },
              {
                key: 'workflow',
                label: t('detail.workflow'),
                children: draft?.workflowKey ? (
                  <Link to={`/admin/workflows/${encodeURIComponent(draft.workflowKey)}`}>
                    {draft.workflowKey}
                  </Link>
                ) : (
                  t('detail.noWorkflow')
                ),
              },
              { key: 'fields', label: t('detail.fields'), children: fieldCount(draft?.formSchema) },
              {
                key: 'updatedAt',
                label: t('detail.updatedAt'),
                children: <DateTime value={template.updatedAt} />,
              },
            ]}
          />
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
              {
                key: 'workflowVersion',
                title: t('detail.versions.workflowVersion'),
                render: (_, v) =>
                  v.workflowVersion?.version
                    ? t('list.version', { version: v.workflowVersion.version })
                    : null,
              },
            ]}
          />
        </Card>
      </Space>
    </>
  );
}
