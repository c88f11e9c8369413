import { Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type FragmentOf, graphql, readFragment } from '../../../graphql/graphql.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';

export const WorkflowRowFragment = graphql(`
  fragment WorkflowRow on Workflow {
    id
    key
    name
    latestVersion
    updatedAt
    draftProblems {
      code
    }
  }
`);

/** The workflows list: key (opens the workflow), name, latest version, draft problems, last change. */
export function WorkflowsTable({
  workflows,
}: {
  workflows: readonly FragmentOf<typeof WorkflowRowFragment>[];
}) {
  const { t } = useTranslation('workflows');
  const rows = workflows.map((w) => readFragment(WorkflowRowFragment, w));
  return (
    <Table
      rowKey={(w) => w.id ?? w.key ?? ''}
      dataSource={rows}
      pagination={{ defaultPageSize: 50, showSizeChanger: true, hideOnSinglePage: false }}
      locale={{ emptyText: t('list.empty') }}
      columns={[
        {
          key: 'key',
          title: t('list.columns.key'),
          render: (_, w) => <Link to={`/admin/workflows/${encodeURIComponent(w.key ?? '')}`}>{w.key}</Link>,
        },
        { key: 'name', title: t('list.columns.name'), dataIndex: 'name' },
        {
          key: 'latestVersion',
          title: t('list.columns.latestVersion'),
          render: (_, w) =>
            w.latestVersion ? (
              t('list.version', { version: w.latestVersion })
            ) : (
              <Tag>{t('list.notPublished')}</Tag>
            ),
        },
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
        {
          key: 'updatedAt',
          title: t('list.columns.updatedAt'),
          render: (_, w) => <DateTime value={w.updatedAt} />,
        },
      ]}
    />
  );
}
