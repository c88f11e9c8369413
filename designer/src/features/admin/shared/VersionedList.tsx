import { Space, Table, type TableColumnType, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { QueryState } from '../../../graphql/use-query.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { type CreateAnswer, CreateByKeyButton } from './CreateByKeyButton.tsx';

/** A row of a list of things published in versions under a key (ticket templates, workflows). */
export type VersionedRow = {
  id?: string | null;
  key?: string | null;
  name?: string | null;
  latestVersion?: number | null;
  updatedAt?: string | null;
};

/**
 * The list page of things kept under a key and published in versions: its heading with the count
 * and the create button, and a table of key (opening the thing at `<basePath>/<key>`), name, the
 * latest version and the last change, with the area's own columns before and after the version.
 * The words are the namespace's `list` keys (title, count, empty, columns.*, version, notPublished).
 */
export function VersionedList<T extends VersionedRow>({
  namespace,
  basePath,
  query,
  rows,
  create,
  keyTag,
  beforeVersion = [],
  afterVersion = [],
}: {
  namespace: 'forms' | 'workflows';
  basePath: string;
  query: Pick<QueryState<unknown>, 'data' | 'error' | 'isLoading' | 'refetch'>;
  rows: readonly T[];
  create: (input: { key: string; name: string }) => Promise<CreateAnswer>;
  /** Shown after the key (an "archived" tag). */
  keyTag?: (row: T) => ReactNode;
  beforeVersion?: TableColumnType<T>[];
  afterVersion?: TableColumnType<T>[];
}) {
  const { t } = useTranslation(namespace);
  const say = t as unknown as (key: string, options?: Record<string, unknown>) => string;
  const { data, error, isLoading, refetch } = query;
  return (
    <>
      <PageHeading
        title={say('list.title')}
        extra={
          <Space>
            {data ? <Text>{say('list.count', { count: rows.length })}</Text> : null}
            <CreateByKeyButton namespace={namespace} create={create} />
          </Space>
        }
      />
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? (
        <Table<T>
          rowKey={(x) => x.id ?? x.key ?? ''}
          dataSource={rows as T[]}
          pagination={{ defaultPageSize: 50, showSizeChanger: true, hideOnSinglePage: false }}
          locale={{ emptyText: say('list.empty') }}
          columns={[
            {
              key: 'key',
              title: say('list.columns.key'),
              render: (_, x) => (
                <Space size={4}>
                  <Link to={`${basePath}/${encodeURIComponent(x.key ?? '')}`}>{x.key}</Link>
                  {keyTag?.(x)}
                </Space>
              ),
            },
            { key: 'name', title: say('list.columns.name'), dataIndex: 'name' },
            ...beforeVersion,
            {
              key: 'latestVersion',
              title: say('list.columns.latestVersion'),
              render: (_, x) =>
                x.latestVersion ? (
                  say('list.version', { version: x.latestVersion })
                ) : (
                  <Tag>{say('list.notPublished')}</Tag>
                ),
            },
            ...afterVersion,
            {
              key: 'updatedAt',
              title: say('list.columns.updatedAt'),
              render: (_, x) => <DateTime value={x.updatedAt} />,
            },
          ]}
        />
      ) : null}
    </>
  );
}
