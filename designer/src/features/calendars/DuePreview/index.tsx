import type { CalendarDefinition } from '@docket/core';
import { Alert, Card, DatePicker, Form, InputNumber, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GraphQLRequestError, request } from '../../../graphql/client.ts';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { Text } from '../../../ui/Text/index.tsx';
import { refusalText } from '../../admin/shared/mutate.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { dateInZone } from '../calendar-edits.ts';

const PreviewQuery = graphql(
  `
  query CalendarDuePreview($definition: JSON!, $amount: Float!, $unit: SlaTimeUnit!, $from: DateTime) {
    calendarDuePreview(definition: $definition, amount: $amount, unit: $unit, from: $from) {
      __typename
      ... on CalendarDuePreview { from dueAt }
      ...Refusal
    }
  }
`,
  [RefusalFragment],
);

type Unit = 'minutes' | 'hours' | 'days' | 'weeks';
type Target = { amount: number; unit: Unit; time: 'business' | 'calendar' };
type PolicyTargets = {
  id: string | null;
  name: string | null;
  calendarKey: string | null;
  targets: unknown;
}[];

const formatIn = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone, dateStyle: 'short', timeStyle: 'short' }).format(
    new Date(iso),
  );

/**
 * "Due if created now" for a target the admin picks (or one of the policies counting in this
 * calendar), counted by the server in the definition as edited: it follows every edit.
 */
export function DuePreview({
  definition,
  calendarKey,
  policies,
}: {
  definition: CalendarDefinition;
  calendarKey: string;
  policies: PolicyTargets;
}) {
  const { t } = useTranslation('calendars');
  const [amount, setAmount] = useState<number>(8);
  const [unit, setUnit] = useState<Unit>('hours');
  const [createdAt, setCreatedAt] = useState<Dayjs | null>(null);
  const [answer, setAnswer] = useState<{ dueAt: string; from: string } | { problem: string } | null>(null);

  const policyTargets = useMemo(
    () =>
      policies
        .filter((p) => p.calendarKey === calendarKey)
        .flatMap((p) =>
          Object.entries((p.targets ?? {}) as Record<string, Record<string, Target>>).flatMap(
            ([metric, byPriority]) =>
              Object.entries(byPriority)
                .filter(([, target]) => target.time === 'business')
                .map(([priority, target]) => ({
                  value: `${p.id}/${metric}/${priority}`,
                  label: `${p.name} · ${metric} · ${priority}: ${target.amount} ${t(`preview.units.${target.unit}`)}`,
                  target,
                })),
          ),
        ),
    [policies, calendarKey, t],
  );

  const key = JSON.stringify([definition, amount, unit, createdAt?.toISOString() ?? null]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the inputs are compared through their JSON text
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      request(
        PreviewQuery,
        { definition, amount, unit, from: createdAt ? createdAt.toISOString() : null },
        { signal: controller.signal },
      ).then(
        (data: ResultOf<typeof PreviewQuery>) => {
          const r = data.calendarDuePreview;
          if (r?.__typename === 'CalendarDuePreview') setAnswer({ dueAt: r.dueAt ?? '', from: r.from ?? '' });
          else if (r) setAnswer({ problem: refusalText(r as Parameters<typeof refusalText>[0]) });
        },
        (e: unknown) => {
          if (!controller.signal.aborted)
            setAnswer({ problem: e instanceof GraphQLRequestError ? e.message : String(e) });
        },
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key]);

  return (
    <Card size="small" title={t('preview.title')} data-testid="due-preview">
      <Text as="p">{t('preview.help')}</Text>
      <Form layout="vertical">
        <Space wrap>
          <Form.Item label={t('preview.amount')}>
            <InputNumber
              aria-label={t('preview.amount')}
              min={0}
              value={amount}
              onChange={(v) => setAmount(Number(v ?? 0))}
            />
          </Form.Item>
          <Form.Item label={t('preview.unit')}>
            <Select
              aria-label={t('preview.unit')}
              style={{ width: 110 }}
              value={unit}
              onChange={setUnit}
              options={(['minutes', 'hours', 'days', 'weeks'] as const).map((u) => ({
                value: u,
                label: t(`preview.units.${u}`),
              }))}
            />
          </Form.Item>
          <Form.Item label={t('preview.createdAt')}>
            <DatePicker showTime placeholder={t('preview.now')} value={createdAt} onChange={setCreatedAt} />
          </Form.Item>
        </Space>
        {policyTargets.length ? (
          <Form.Item label={t('preview.fromPolicy')}>
            <Select
              allowClear
              options={policyTargets}
              onChange={(v: string | undefined) => {
                const picked = policyTargets.find((p) => p.value === v);
                if (picked) {
                  setAmount(picked.target.amount);
                  setUnit(picked.target.unit);
                }
              }}
            />
          </Form.Item>
        ) : null}
      </Form>
      {answer && 'problem' in answer ? <Alert type="error" showIcon title={answer.problem} /> : null}
      {answer && 'dueAt' in answer ? (
        <div
          data-testid="due-at"
          data-due-date={dateInZone(answer.dueAt, definition.timeZone)}
          data-due-at={answer.dueAt}
        >
          <div style={{ fontSize: 20, fontWeight: 600 }}>
            {t('preview.due')}: {formatIn(answer.dueAt, definition.timeZone)}{' '}
            <Text>{t('preview.inZone', { zone: definition.timeZone })}</Text>
          </div>
          <Text>{t('preview.local', { time: new Date(answer.dueAt).toLocaleString() })}</Text>
        </div>
      ) : null}
    </Card>
  );
}
