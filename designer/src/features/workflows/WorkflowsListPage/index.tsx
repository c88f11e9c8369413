import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { WorkflowRowFragment, WorkflowsTable } from '../WorkflowsTable/index.tsx';

const WorkflowsQuery = graphql(
  `
    query Workflows {
      workflows {
        ...WorkflowRow
      }
    }
  `,
  [WorkflowRowFragment],
);

/** /admin/workflows */
export function WorkflowsListPage() {
  const { t } = useTranslation('workflows');
  const { data, error, isLoading, refetch } = useQuery(WorkflowsQuery, {});
  const workflows = data?.workflows ?? [];
  return (
    <>
      <PageHeading
        title={t('list.title')}
        extra={
          data ? (
            <Typography.Text type="secondary">{t('list.count', { count: workflows.length })}</Typography.Text>
          ) : null
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? <WorkflowsTable workflows={workflows} /> : null}
    </>
  );
}
