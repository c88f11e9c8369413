import { useTranslation } from 'react-i18next';

export type TrendPoint = { hour: number; created: number; solved: number };

const WIDTH = 600;
const HEIGHT = 160;
const PAD = 24;

/** Created and solved per hour of today as two lines (inline SVG: no chart library to load). */
export function TrendLine({
  points,
  colors,
}: {
  points: readonly TrendPoint[];
  colors: { created: string; solved: string; axis: string };
}) {
  const { t } = useTranslation('wall');
  const top = Math.max(1, ...points.map((p) => Math.max(p.created, p.solved)));
  const x = (hour: number) => PAD + (hour / 23) * (WIDTH - 2 * PAD);
  const y = (value: number) => HEIGHT - PAD - (value / top) * (HEIGHT - 2 * PAD);
  const line = (key: 'created' | 'solved') => points.map((p) => `${x(p.hour)},${y(p[key])}`).join(' ');
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width="100%"
        role="img"
        aria-label={t('trend')}
        data-testid="wall-trend"
        style={{ display: 'block' }}
      >
        <line x1={PAD} y1={HEIGHT - PAD} x2={WIDTH - PAD} y2={HEIGHT - PAD} stroke={colors.axis} />
        {[0, 6, 12, 18, 23].map((h) => (
          <text key={h} x={x(h)} y={HEIGHT - 6} fontSize={12} textAnchor="middle" fill={colors.axis}>
            {String(h).padStart(2, '0')}
          </text>
        ))}
        <text x={PAD} y={14} fontSize={12} fill={colors.axis}>
          {top}
        </text>
        {points.length > 1 ? (
          <>
            <polyline points={line('created')} fill="none" stroke={colors.created} strokeWidth={3} />
            <polyline points={line('solved')} fill="none" stroke={colors.solved} strokeWidth={3} />
          </>
        ) : null}
        {points.map((p) => (
          <g key={p.hour}>
            <circle cx={x(p.hour)} cy={y(p.created)} r={3} fill={colors.created} />
            <circle cx={x(p.hour)} cy={y(p.solved)} r={3} fill={colors.solved} />
          </g>
        ))}
      </svg>
      <figcaption style={{ display: 'flex', gap: 24, fontSize: 16 }}>
        <span style={{ color: colors.created }}>■ {t('trendCreated')}</span>
        <span style={{ color: colors.solved }}>■ {t('trendSolved')}</span>
      </figcaption>
    </figure>
  );
}
