import { Space, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type FragmentOf, graphql, readFragment } from '../../../graphql/graphql.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { categoryLabel } from '../category.ts';

export const TemplateRowFragment = graphql(`
  fragment TemplateRow on TicketTemplate {
    id
    key
    name
    latestVersion
    isArchived
    updatedAt
    draft {
      categoryPath
    }
    published {
      content {
        categoryPath
      }
    }
  }
`);

/** The templates list: key (opens the template), name, category, latest version, last change. */
export function TemplatesTable({
  templates,
}: {
  templates: readonly FragmentOf<typeof TemplateRowFragment>[];
}) {
  const { t } = useTranslation('forms');
  const rows = templates.map((x) => readFragment(TemplateRowFragment, x));
  return (
    <Table
      rowKey={(x) => x.id ?? x.key ?? ''}
      dataSource={rows}
      pagination={{ defaultPageSize: 50, showSizeChanger: true, hideOnSinglePage: false }}
      locale={{ emptyText: t('list.empty') }}
      columns={[
        {
          key: 'key',
          title: t('list.columns.key'),
          render: (_, x) => (
            <Space size={4}>
              <Link to={`/admin/templates/${encodeURIComponent(x.key ?? '')}`}>{x.key}</Link>
              {x.isArchived ? <Tag>{t('list.archived')}</Tag> : null}
            </Space>
          ),
        },
        { key: 'name', title: t('list.columns.name'), dataIndex: 'name' },
        {
          key: 'category',
          title: t('list.columns.category'),
          render: (_, x) => categoryLabel(x.published?.content?.categoryPath ?? x.draft?.categoryPath),
        },
        {
          key: 'latestVersion',
          title: t('list.columns.latestVersion'),
          render: (_, x) =>
            x.latestVersion ? (
              t('list.version', { version: x.latestVersion })
            ) : (
              <Tag>{t('list.notPublished')}</Tag>
            ),
        },
        {
          key: 'updatedAt',
          title: t('list.columns.updatedAt'),
          render: (_, x) => <DateTime value={x.updatedAt} />,
        },
      ]}
    />
  );
}
