import { Alert, Button, Flex, Input, Modal, message, Radio, Select, Space, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { SchemaForm } from '../../../ui/SchemaForm/index.tsx';
import { TONE_STYLE } from '../SlaCountdown/tone-style.ts';
import { messageOf } from '../views.ts';
import { ActOnTask } from './ticket-query.ts';

export type OpenTask = {
  id: string | null;
  title: string | null;
  actions: readonly string[] | null;
  formSchema: unknown;
  uiSchema: unknown;
  dueAt: string | null;
  isOverdue: boolean | null;
  origin: unknown;
  assignee: { name: string | null } | null;
  team: { name: string | null } | null;
  orgUnit: { name: string | null } | null;
};

type Option = { id: string | null; name: string | null };
type Kind = 'transfer' | 'return' | 'reject';

/**
 * The current step: its form generated from the step's formSchema with "complete", and the
 * step's other actions (transfer to a person, team or org unit, return, reject), each with a reason.
 */
export function TaskPanel({
  task,
  people,
  onDone,
}: {
  task: OpenTask;
  people: { users: Option[]; teams: Option[]; orgUnits: Option[] };
  onDone: () => void;
}) {
  const { t } = useTranslation('desk');
  const [api, holder] = message.useMessage();
  const [acting, setActing] = useState<Kind | null>(null);
  const [reason, setReason] = useState('');
  const [targetKind, setTargetKind] = useState<'userId' | 'teamId' | 'orgUnitId'>('teamId');
  const [target, setTarget] = useState<string | undefined>();
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [isBusy, setIsBusy] = useState(false);
  const actions = task.actions ?? [];
  const holderName = task.assignee?.name ?? task.team?.name ?? task.orgUnit?.name ?? '';
  const origin = task.origin as { action?: string; reason?: string } | null;

  const act = async (
    action: 'complete' | Kind,
    extra: { output?: unknown; reason?: string; to?: Record<string, number> },
  ) => {
    setIsBusy(true);
    try {
      const r = (await request(ActOnTask, { taskId: task.id ?? '', action, ...extra } as never)).actOnTask;
      if (r?.__typename === 'Task') {
        void api.success(t('ticket.done'));
        setActing(null);
        setReason('');
        setServerErrors({});
        onDone();
      } else if (r && 'fields' in r && r.fields) {
        setServerErrors(
          Object.fromEntries(r.fields.map((f) => [(f.path ?? '').replace(/^\/output/, ''), f.message ?? ''])),
        );
        void api.error(r.message ?? '');
      } else void api.error(messageOf(r));
    } finally {
      setIsBusy(false);
    }
  };

  const options = (
    targetKind === 'userId' ? people.users : targetKind === 'teamId' ? people.teams : people.orgUnits
  ).map((o) => ({ value: o.id ?? '', label: o.name ?? '' }));

  return (
    <section aria-label={t('ticket.step')} data-testid="task-panel">
      {holder}
      <Flex justify="space-between" wrap gap={8} align="center">
        <h2 style={{ fontSize: 18, margin: 0 }}>
          {t('ticket.step')}: {task.title}
        </h2>
        <Space wrap size={4}>
          <Tag>{t('ticket.stepHeldBy', { holder: holderName })}</Tag>
          {task.dueAt ? (
            <Tag style={task.isOverdue ? TONE_STYLE.breached : undefined}>
              {t('ticket.stepDue', { due: '' })}
              <DateTime value={task.dueAt} />
            </Tag>
          ) : null}
        </Space>
      </Flex>
      {origin?.reason ? (
        <Alert
          type="warning"
          showIcon
          style={{ margin: '8px 0' }}
          title={`${origin.action}: ${origin.reason}`}
        />
      ) : null}
      {actions.includes('complete') && task.formSchema ? (
        <SchemaForm
          id={`task-form-${task.id}`}
          schema={task.formSchema as never}
          uiSchema={(task.uiSchema ?? {}) as never}
          serverErrors={serverErrors}
          isSubmitting={isBusy}
          submitLabel={t('ticket.complete')}
          onSubmit={(output) => void act('complete', { output })}
        />
      ) : null}
      <Space wrap style={{ marginTop: 8 }}>
        {(['transfer', 'return', 'reject'] as const)
          .filter((a) => actions.includes(a))
          .map((a) => (
            <Button key={a} onClick={() => setActing(a)} danger={a === 'reject'} data-testid={`task-${a}`}>
              {t(`ticket.${a}`)}
            </Button>
          ))}
      </Space>
      <Modal
        open={acting !== null}
        title={acting ? t(`ticket.${acting}`) : ''}
        okText={t('ticket.confirm')}
        cancelText={t('ticket.cancel')}
        confirmLoading={isBusy}
        okButtonProps={{ disabled: !reason.trim() || (acting === 'transfer' && !target) }}
        onCancel={() => setActing(null)}
        onOk={() =>
          acting &&
          void act(acting, {
            reason,
            ...(acting === 'transfer' && target ? { to: { [targetKind]: Number(target) } } : {}),
          })
        }
      >
        {acting === 'transfer' ? (
          <Flex vertical gap={8} style={{ marginBottom: 12 }}>
            <Radio.Group
              aria-label={t('ticket.transferTo')}
              value={targetKind}
              onChange={(e) => {
                setTargetKind(e.target.value);
                setTarget(undefined);
              }}
              options={[
                { value: 'userId', label: t('ticket.toUser') },
                { value: 'teamId', label: t('ticket.toTeam') },
                { value: 'orgUnitId', label: t('ticket.toOrgUnit') },
              ]}
            />
            <Select
              aria-label={t('ticket.pickTarget')}
              placeholder={t('ticket.pickTarget')}
              showSearch={{ optionFilterProp: 'label' }}
              value={target}
              onChange={setTarget}
              options={options}
              data-testid="transfer-target"
            />
          </Flex>
        ) : null}
        <Input.TextArea
          aria-label={t('ticket.reason')}
          placeholder={t('ticket.reasonRequired')}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          autoSize={{ minRows: 2 }}
          data-testid="action-reason"
        />
        {serverErrors['/reason'] || serverErrors['/to'] ? (
          <Alert
            type="error"
            style={{ marginTop: 8 }}
            title={serverErrors['/reason'] ?? serverErrors['/to']}
          />
        ) : null}
      </Modal>
    </section>
  );
}
