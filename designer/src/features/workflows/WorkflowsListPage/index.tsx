import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import type { CreateAnswer } from '../../admin/shared/CreateByKeyButton.tsx';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { VersionedList } from '../../admin/shared/VersionedList.tsx';

const WorkflowsQuery = graphql(`
  query Workflows {
    workflows { id key name latestVersion updatedAt draftProblems { code } }
  }
`);

const CreateWorkflowMutation = graphql(
  `mutation CreateWorkflow($key: String!, $name: String!) {
    createWorkflow(key: $key, name: $name) { __typename ... on Workflow { key } ...Refusal }
  }`,
  [RefusalFragment],
);

/** Creates a workflow (a lone start node); the designer opens on it. */
async function createWorkflow(input: { key: string; name: string }): Promise<CreateAnswer> {
  const r = (await request(CreateWorkflowMutation, input)).createWorkflow;
  return r?.__typename === 'Workflow' ? { open: `/admin/workflows/${encodeURIComponent(r.key ?? '')}` } : r;
}

/** /admin/workflows: key (opens the designer), name, latest version, draft problems, last change. */
export function WorkflowsListPage() {
  const { t } = useTranslation('workflows');
  const query = useQuery(WorkflowsQuery, {});
  return (
    <VersionedList
      namespace="workflows"
      basePath="/admin/workflows"
      query={query}
      rows={query.data?.workflows ?? []}
      create={createWorkflow}
      afterVersion={[
        {
          key: 'problems',
          title: t('list.columns.problems'),
          render: (_, w) => {
            const count = w.draftProblems?.length ?? 0;
            return count > 0 ? (
              <Tag color="error">{t('list.problems', { count })}</Tag>
            ) : (
              <Tag color="success">{t('list.noProblems')}</Tag>
            );
          },
        },
      ]}
    />
  );
}
