import { Button, Popconfirm, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { DateTime } from '../../../ui/DateTime/index.tsx';

/** What every token row has: API tokens and wall tokens alike. */
export type TokenRow = {
  id?: string | null;
  name?: string | null;
  prefix?: string | null;
  createdAt?: string | null;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
};

/** The words of a token list, in its page's language. */
export type TokenWords = {
  name: string;
  prefix: string;
  created: string;
  lastUsed: string;
  status: string;
  revoked: string;
  revoke: string;
  revokeConfirm: (name: string) => string;
};

/**
 * The columns of a token list: name, prefix, created, last used and its status with a revoke
 * button; a page adds its own after the name, after the prefix and before the status.
 */
export function tokenColumns<R extends TokenRow>(
  words: TokenWords,
  revoke: (id: string) => void,
  own: { afterName?: ColumnsType<R>; afterPrefix?: ColumnsType<R>; beforeStatus?: ColumnsType<R> } = {},
): ColumnsType<R> {
  return [
    { key: 'name', title: words.name, dataIndex: 'name' },
    ...(own.afterName ?? []),
    { key: 'prefix', title: words.prefix, render: (_, x) => <code>{x.prefix}…</code> },
    ...(own.afterPrefix ?? []),
    { key: 'created', title: words.created, render: (_, x) => <DateTime value={x.createdAt} /> },
    { key: 'lastUsed', title: words.lastUsed, render: (_, x) => <DateTime value={x.lastUsedAt} /> },
    ...(own.beforeStatus ?? []),
    {
      key: 'status',
      title: words.status,
      render: (_, x) =>
        x.revokedAt ? (
          <Tag>{words.revoked}</Tag>
        ) : (
          <Popconfirm title={words.revokeConfirm(x.name ?? '')} onConfirm={() => revoke(x.id ?? '')}>
            <Button size="small" danger>
              {words.revoke}
            </Button>
          </Popconfirm>
        ),
    },
  ];
}
