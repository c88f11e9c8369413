import { memo, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onTick } from '../hooks/useNow.ts';
import { type ClockFacts, type ClockTone, formatSeconds, secondsLeft, toneOf } from './countdown.ts';
import { TONE_STYLE } from './tone-style.ts';
import '../desk.css';

/**
 * One SLA clock ticking each second: green, amber before its warning, red once breached, or paused.
 * The shared one-second timer writes the time left straight into this countdown's text node; React
 * renders it again only when its tone changes (a hundred countdowns cost a hundred text writes).
 * Plain markup in antd's Tag look, the tone's words as its title: a list shows a hundred of these.
 */
export const SlaCountdown = memo(function SlaCountdown({
  clock,
  label,
}: {
  clock: ClockFacts;
  label: string;
}) {
  const { t } = useTranslation('desk');
  const [tone, setTone] = useState<ClockTone>(() => toneOf(clock, Date.now()));
  const timeRef = useRef<HTMLSpanElement>(null);
  const toneRef = useRef(tone);
  toneRef.current = tone;
  const { status, dueAt, targetSeconds, secondsLeftAtRead } = clock;

  useLayoutEffect(() => {
    const facts = { status, dueAt, targetSeconds, secondsLeftAtRead };
    const update = (at: number) => {
      const next = toneOf(facts, at);
      // A tick asks React for nothing unless the tone changed.
      if (next !== toneRef.current) {
        toneRef.current = next;
        setTone(next);
      }
      const left = secondsLeft(facts, at);
      const el = timeRef.current;
      if (el && next !== 'done' && left !== null) {
        const text = formatSeconds(left);
        // React's own text node is written in place (replacing it would leave React a stale one).
        const node = el.firstChild;
        if (node?.nodeType === Node.TEXT_NODE) {
          if (node.nodeValue !== text) node.nodeValue = text;
        } else el.textContent = text;
      }
    };
    update(Date.now());
    // A paused, finished or untimed clock does not move: no need to tick.
    if (status === 'paused' || status === 'met' || status === 'stopped' || !dueAt) return;
    return onTick(update);
  }, [status, dueAt, targetSeconds, secondsLeftAtRead]);

  const left = secondsLeft(clock, Date.now());
  const text =
    tone === 'done'
      ? t(`sla.status.${clock.status === 'met' ? 'met' : 'stopped'}`)
      : left === null
        ? t('sla.noTarget')
        : null;
  return (
    <span
      className="desk-tag desk-countdown"
      data-testid="sla-countdown"
      data-tone={tone}
      title={t(`sla.tone.${tone}`)}
      style={tone === 'ok' || tone === 'warning' || tone === 'breached' ? TONE_STYLE[tone] : undefined}
    >
      {label} {tone === 'paused' ? `${t('sla.paused')} ` : ''}
      {text ?? (
        <span ref={timeRef} className="desk-countdown-time">
          {left === null ? '' : formatSeconds(left)}
        </span>
      )}
    </span>
  );
});
