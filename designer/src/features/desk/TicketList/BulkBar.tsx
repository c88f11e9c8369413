import { Flex, message, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { AssignTicket, UpdateTicket } from '../TicketPage/ticket-query.ts';
import { PRIORITIES, STATUSES } from '../views.ts';

/** Assign, status and priority for every selected ticket; says how many changed and why others did not. */
export function BulkBar({
  ids,
  users,
  onDone,
}: {
  ids: string[];
  users: { id: string; name: string }[];
  onDone: () => void;
}) {
  const { t } = useTranslation(['desk', 'shell']);
  const [api, holder] = message.useMessage();
  const run = async (change: (id: string) => Promise<{ __typename: string; message?: string | null }>) => {
    const results = await Promise.all(
      ids.map((id) => change(id).catch((e: Error) => ({ __typename: 'Error', message: e.message }))),
    );
    const failed = results.filter((r) => r.__typename !== 'Ticket');
    if (failed.length)
      void api.error(t('list.bulkFailed', { count: failed.length, message: failed[0]?.message ?? '' }));
    else void api.success(t('list.bulkDone', { count: ids.length }));
    onDone();
  };
  return (
    <Flex gap={8} wrap align="center" data-testid="bulk-bar" style={{ padding: '8px 0' }}>
      {holder}
      <Typography.Text strong>{t('list.selected', { count: ids.length })}</Typography.Text>
      <Select
        aria-label={t('list.bulkAssign')}
        placeholder={t('list.bulkAssign')}
        style={{ minWidth: 160 }}
        showSearch={{ optionFilterProp: 'label' }}
        value={null}
        options={users.map((u) => ({ value: u.id, label: u.name }))}
        onChange={(v: string) =>
          void run(
            async (id) =>
              (await request(AssignTicket, { id, assigneeId: Number(v) })).assignTicket ?? {
                __typename: 'Error',
              },
          )
        }
      />
      <Select
        aria-label={t('list.bulkStatus')}
        placeholder={t('list.bulkStatus')}
        style={{ minWidth: 140 }}
        value={null}
        options={STATUSES.map((s) => ({ value: s, label: t(`shell:status.${s}`) }))}
        onChange={(v: (typeof STATUSES)[number]) =>
          void run(
            async (id) =>
              (await request(UpdateTicket, { id, status: v })).updateTicket ?? { __typename: 'Error' },
          )
        }
      />
      <Select
        aria-label={t('list.bulkPriority')}
        placeholder={t('list.bulkPriority')}
        style={{ minWidth: 140 }}
        value={null}
        options={PRIORITIES.map((p) => ({ value: p, label: t(`shell:priority.${p}`) }))}
        onChange={(v: (typeof PRIORITIES)[number]) =>
          void run(
            async (id) =>
              (await request(UpdateTicket, { id, priority: v })).updateTicket ?? { __typename: 'Error' },
          )
        }
      />
    </Flex>
  );
}
