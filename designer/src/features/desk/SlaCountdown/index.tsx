import { Tag, Tooltip } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNow } from '../hooks/useNow.ts';
import { type ClockFacts, formatSeconds, secondsLeft, toneOf } from './countdown.ts';

const COLORS = {
  ok: 'green',
  warning: 'orange',
  breached: 'red',
  paused: 'default',
  done: 'default',
} as const;

/** One SLA clock ticking each second: green, amber before its warning, red once breached, or paused. */
export const SlaCountdown = memo(function SlaCountdown({
  clock,
  label,
}: {
  clock: ClockFacts;
  label: string;
}) {
  const { t } = useTranslation('desk');
  const now = useNow();
  const tone = toneOf(clock, now);
  const left = secondsLeft(clock, now);
  const text =
    tone === 'done'
      ? t(`sla.status.${clock.status === 'met' ? 'met' : 'stopped'}`)
      : left === null
        ? t('sla.noTarget')
        : formatSeconds(left);
  return (
    <Tooltip title={t(`sla.tone.${tone}`)}>
      <Tag
        color={COLORS[tone]}
        data-testid="sla-countdown"
        data-tone={tone}
        style={{ fontVariantNumeric: 'tabular-nums' }}
      >
        {label} {tone === 'paused' ? `${t('sla.paused')} ` : ''}
        {text}
      </Tag>
    </Tooltip>
  );
});
