import { Tag, Tooltip } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNow } from '../hooks/useNow.ts';
import { type ClockFacts, formatSeconds, secondsLeft, toneOf } from './countdown.ts';
import { TONE_STYLE } from './tone-style.ts';

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
        data-testid="sla-countdown"
        data-tone={tone}
        style={{
          fontVariantNumeric: 'tabular-nums',
          ...(tone === 'ok' || tone === 'warning' || tone === 'breached' ? TONE_STYLE[tone] : {}),
        }}
      >
        {label} {tone === 'paused' ? `${t('sla.paused')} ` : ''}
        {text}
      </Tag>
    </Tooltip>
  );
});
