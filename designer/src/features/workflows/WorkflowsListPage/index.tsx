import { Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { WorkflowRowFragment, WorkflowsTable } from '../WorkflowsTable/index.tsx';
import { NewWorkflowButton } from './NewWorkflowButton.tsx';

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
          <Space>
            {data ? <Text>{t('list.count', { count: workflows.length })}</Text> : null}
            <NewWorkflowButton />
          </Space>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? <WorkflowsTable workflows={workflows} /> : null}
    </>
  );
}
