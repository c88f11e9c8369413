import type { CSSProperties } from 'react';

/**
 * Tag colours with text dark enough to read (WCAG AA, 4.5:1) on their tint: antd's preset tag
 * colours are lighter than that. ok green, warning amber, breached red.
 */
export const TONE_STYLE: Record<'ok' | 'warning' | 'breached', CSSProperties> = {
  ok: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  warning: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  breached: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
};

/** A priority's tag style: urgent red, high amber, the others plain. */
export const priorityStyle = (priority: string | null | undefined): CSSProperties | undefined =>
  priority === 'urgent' ? TONE_STYLE.breached : priority === 'high' ? TONE_STYLE.warning : undefined;
