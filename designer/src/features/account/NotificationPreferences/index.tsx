import { Alert, App, Checkbox, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { graphql } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { mutate } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { effectiveTargets, NOTICE_KINDS, type NoticeKind, toggledTargets } from '../preferences.ts';

const PreferencesQuery = graphql(`
  query AccountNotificationPreferences {
    notificationTargets { key title titles { locale text } }
    myNotificationPreferences { kind targets }
  }
`);

const SetPreference = graphql(
  `
  mutation AccountSetNotificationPreference($kind: String!, $targets: [String!]!) {
    setNotificationPreference(kind: $kind, targets: $targets) {
      __typename
      ... on NotificationPreference { kind targets }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

/** A target's title on one line: on a phone the table scrolls sideways rather than stack its letters. */
const ONE_LINE = { style: { whiteSpace: 'nowrap' } } as const;

/**
 * /account/notifications: which notices reach me where. In-app always; each installed outside
 * target (email, SMS, a chat robot) per kind of notice, a checkbox each.
 */
export default function NotificationPreferencesPage() {
  const { t } = useTranslation('account');
  const { message } = App.useApp();
  const displayName = useDisplayName();
  const { data, error, isLoading, refetch } = useQuery(PreferencesQuery, {});
  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  // Targets are data (plugins add them): each brings its title in the page's language.
  const targets = (data?.notificationTargets ?? []).map((target) => ({
    key: target.key ?? '',
    title: displayName(target.title, target.titles),
  }));
  const rows = (data?.myNotificationPreferences ?? []).map((r) => ({
    kind: r.kind ?? '',
    targets: r.targets ?? [],
  }));

  const toggle = async (kind: NoticeKind, target: string, isOn: boolean) => {
    const r = await mutate(SetPreference, { kind, targets: toggledTargets(rows, kind, target, isOn) });
    if (!r.ok) return void message.error(r.problem);
    void message.success(t('preferences.saved'));
    refetch();
  };

  return (
    <>
      <PageHeading title={t('preferences.title')} />
      <Text as="p">{t('preferences.intro')}</Text>
      {targets.length === 0 ? (
        <Alert type="info" showIcon title={t('preferences.noTargets')} style={{ marginBottom: 16 }} />
      ) : null}
      <Table
        rowKey="kind"
        dataSource={NOTICE_KINDS.map((kind) => ({ kind }))}
        pagination={false}
        scroll={{ x: true }}
        columns={[
          {
            key: 'kind',
            title: t('preferences.kind'),
            render: (_, { kind }) => {
              const { isDefault } = effectiveTargets(rows, kind);
              return (
                <>
                  {t(`preferences.kinds.${kind}`)}{' '}
                  {isDefault ? <Tag>{t('preferences.followsDefault')}</Tag> : null}
                </>
              );
            },
          },
          {
            key: 'in_app',
            title: t('preferences.inApp'),
            onHeaderCell: () => ONE_LINE,
            render: (_, { kind }) => (
              <Checkbox
                checked
                disabled
                aria-label={`${t(`preferences.kinds.${kind}`)}: ${t('preferences.inApp')} (${t('preferences.always')})`}
              />
            ),
          },
          ...targets.map((target) => ({
            key: target.key,
            title: target.title,
            onHeaderCell: () => ONE_LINE,
            render: (_: unknown, { kind }: { kind: NoticeKind }) => {
              const key = target.key;
              return (
                <Checkbox
                  checked={effectiveTargets(rows, kind).targets.includes(key)}
                  aria-label={`${t(`preferences.kinds.${kind}`)}: ${target.title}`}
                  onChange={(e) => void toggle(kind, key, e.target.checked)}
                />
              );
            },
          })),
        ]}
      />
    </>
  );
}
