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

/** The words a token list needs, from its page's namespace (each has the same `tokens.*` keys). */
type TokenKey =
  | 'tokens.columns.name'
  | 'tokens.columns.prefix'
  | 'tokens.columns.created'
  | 'tokens.columns.lastUsed'
  | 'tokens.columns.status'
  | 'tokens.revoked'
  | 'tokens.revoke'
  | 'tokens.revokeConfirm';
export type TokenWords = (key: TokenKey, options?: { name: string }) => string;

/**
 * The columns of a token list: name, prefix, created, last used and its status with a revoke
 * button; a page adds its own after the name, after the prefix and before the status.
 */
export function tokenColumns<R extends TokenRow>(
  t: TokenWords,
  revoke: (id: string) => void,
  own: { afterName?: ColumnsType<R>; afterPrefix?: ColumnsType<R>; beforeStatus?: ColumnsType<R> } = {},
): ColumnsType<R> {
  return [
    { key: 'name', title: t('tokens.columns.name'), dataIndex: 'name' },
    ...(own.afterName ?? []),
    { key: 'prefix', title: t('tokens.columns.prefix'), render: (_, x) => <code>{x.prefix}…</code> },
    ...(own.afterPrefix ?? []),
    {
      key: 'created',
      title: t('tokens.columns.created'),
      render: (_, x) => <DateTime value={x.createdAt} />,
    },
    {
      key: 'lastUsed',
      title: t('tokens.columns.lastUsed'),
      render: (_, x) => <DateTime value={x.lastUsedAt} />,
    },
    ...(own.beforeStatus ?? []),
    {
      key: 'status',
      title: t('tokens.columns.status'),
      render: (_, x) =>
        x.revokedAt ? (
          <Tag>{t('tokens.revoked')}</Tag>
        ) : (
          <Popconfirm
            title={t('tokens.revokeConfirm', { name: x.name ?? '' })}
            onConfirm={() => revoke(x.id ?? '')}
          >
            <Button size="small" danger>
              {t('tokens.revoke')}
            </Button>
          </Popconfirm>
        ),
    },
  ];
}
