import type { CSSProperties, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { type FragmentOf, graphql, type ResultOf, readFragment } from '../../../graphql/graphql.ts';
import { TrendLine } from '../TrendLine/index.tsx';

/** Everything the wall shows; the subscription (useWall) asks for exactly this. */
export const WallFigures = graphql(`
  fragment WallFigures on WallSnapshot {
    at
    scopeName
    createdToday
    solvedToday
    open
    atRisk
    breached
    openByStatus { status count }
    atRiskTickets { id number title priority metric dueAt }
    breachedTickets { id number title priority metric dueAt }
    byRegion { id name open atRisk breached }
    byTeam { id name open atRisk breached }
    csat { count average satisfiedShare }
    trend { hour created solved }
  }
`);

export type WallTheme = 'dark' | 'light';

/** Colours readable from across a room: WCAG AA contrast on their own background. */
const PALETTES = {
  dark: {
    background: '#0b1220',
    card: '#16213a',
    text: '#f3f6fb',
    muted: '#b4bfd1',
    amber: '#ffc53d',
    red: '#ff7875',
    created: '#69b1ff',
    solved: '#95de64',
  },
  light: {
    background: '#eef1f6',
    card: '#ffffff',
    text: '#141414',
    muted: 'rgba(0, 0, 0, 0.68)',
    amber: '#ad4e00',
    red: '#cf1322',
    created: '#0958d9',
    solved: '#237804',
  },
} as const;

type Palette = (typeof PALETTES)[WallTheme];

/** antd's own stack (the page may sit outside its layout), with the CJK fonts Chinese needs. */
const FONT =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Noto Sans CJK SC', sans-serif";
type Figures = ResultOf<typeof WallFigures>;
type Ticket = { id: string; number: string; title: string; metric: string; dueAt: string };
type Group = { id: string | null; name: string | null; open: number; atRisk: number; breached: number };
type StatusCategory = NonNullable<NonNullable<Figures['openByStatus']>[number]['status']>;

const ticketsOf = (list: Figures['atRiskTickets']): Ticket[] =>
  (list ?? []).map((x) => ({
    id: x.id ?? '',
    number: x.number ?? '',
    title: x.title ?? '',
    metric: x.metric ?? '',
    dueAt: x.dueAt ?? '',
  }));
const groupsOf = (list: Figures['byRegion']): Group[] =>
  (list ?? []).map((g) => ({
    id: g.id ?? null,
    name: g.name ?? null,
    open: g.open ?? 0,
    atRisk: g.atRisk ?? 0,
    breached: g.breached ?? 0,
  }));

/** The figures with the API's nullable fields settled (the server always sends them). */
function settle(f: Figures) {
  return {
    scopeName: f.scopeName ?? null,
    createdToday: f.createdToday ?? 0,
    solvedToday: f.solvedToday ?? 0,
    open: f.open ?? 0,
    atRisk: f.atRisk ?? 0,
    breached: f.breached ?? 0,
    openByStatus: (f.openByStatus ?? []).flatMap((s) =>
      s.status ? [{ status: s.status as StatusCategory, count: s.count ?? 0 }] : [],
    ),
    atRiskTickets: ticketsOf(f.atRiskTickets),
    breachedTickets: ticketsOf(f.breachedTickets),
    byRegion: groupsOf(f.byRegion),
    byTeam: groupsOf(f.byTeam),
    csat: {
      count: f.csat?.count ?? 0,
      average: f.csat?.average ?? null,
      satisfiedShare: f.csat?.satisfiedShare ?? null,
    },
    trend: (f.trend ?? []).map((p) => ({
      hour: p.hour ?? 0,
      created: p.created ?? 0,
      solved: p.solved ?? 0,
    })),
  };
}

function Card({
  palette,
  title,
  children,
  style,
}: {
  palette: Palette;
  title: string;
  children: ReactNode;
  style?: CSSProperties;
}) {
  return (
    <section
      aria-label={title}
      style={{ background: palette.card, borderRadius: 12, padding: '16px 20px', minWidth: 0, ...style }}
    >
      <h2 style={{ margin: 0, fontSize: 'clamp(16px, 1.4vw, 26px)', fontWeight: 500, color: palette.muted }}>
        {title}
      </h2>
      {children}
    </section>
  );
}

function BigNumber({ value, color, testId }: { value: number | string; color: string; testId: string }) {
  return (
    <div
      data-testid={testId}
      style={{ fontSize: 'clamp(40px, 4.5vw, 110px)', fontWeight: 700, lineHeight: 1.1, color }}
    >
      {value}
    </div>
  );
}

function TicketList({
  palette,
  tickets,
  empty,
  color,
  now,
  testId,
}: {
  palette: Palette;
  tickets: readonly Ticket[];
  empty: string;
  color: string;
  now: number;
  testId: string;
}) {
  const { t } = useTranslation('wall');
  if (tickets.length === 0) return <p style={{ fontSize: 20, color: palette.muted }}>{empty}</p>;
  return (
    <ol data-testid={testId} style={{ listStyle: 'none', padding: 0, margin: '8px 0 0' }}>
      {tickets.map((x) => {
        const minutes = Math.round(Math.abs(Date.parse(x.dueAt) - now) / 60_000);
        const isOver = Date.parse(x.dueAt) <= now;
        return (
          <li
            key={x.id}
            style={{ fontSize: 'clamp(16px, 1.3vw, 24px)', padding: '4px 0', display: 'flex', gap: 12 }}
          >
            <strong style={{ color, whiteSpace: 'nowrap' }}>{x.number}</strong>
            <span style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {x.title}
            </span>
            <span style={{ color: palette.muted, whiteSpace: 'nowrap' }}>
              {t(`metric.${x.metric as 'resolution'}`, { defaultValue: x.metric })} ·{' '}
              {isOver ? t('overdueBy', { minutes }) : t('dueIn', { minutes })}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

function GroupTable({
  palette,
  groups,
  emptyName,
}: {
  palette: Palette;
  groups: readonly Group[];
  emptyName: string;
}) {
  const { t } = useTranslation('wall');
  return (
    <table
      style={{
        width: '100%',
        fontSize: 'clamp(16px, 1.3vw, 24px)',
        borderCollapse: 'collapse',
        marginTop: 8,
      }}
    >
      <thead>
        <tr style={{ color: palette.muted, textAlign: 'right' }}>
          <th style={{ textAlign: 'left', fontWeight: 400 }} />
          <th style={{ fontWeight: 400 }}>{t('open')}</th>
          <th style={{ fontWeight: 400 }}>{t('atRisk')}</th>
          <th style={{ fontWeight: 400 }}>{t('breached')}</th>
        </tr>
      </thead>
      <tbody>
        {groups.slice(0, 8).map((g) => (
          <tr key={g.id ?? '-'} style={{ textAlign: 'right' }}>
            <td style={{ textAlign: 'left', padding: '2px 0' }}>{g.name ?? emptyName}</td>
            <td style={{ fontWeight: 700 }}>{g.open}</td>
            <td style={{ color: g.atRisk ? palette.amber : palette.muted }}>{g.atRisk}</td>
            <td style={{ color: g.breached ? palette.red : palette.muted }}>{g.breached}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The live wall: big numbers for a TV, today's trend, the tickets about to breach and breached. */
export function WallBoard({
  figures,
  theme,
  status,
  now,
}: {
  figures: FragmentOf<typeof WallFigures>;
  theme: WallTheme;
  /** A line about the connection (live, reconnecting, updated at). */
  status: ReactNode;
  now: number;
}) {
  const { t } = useTranslation(['wall', 'shell']);
  const f = settle(readFragment(WallFigures, figures));
  const palette = PALETTES[theme];
  const csat = f.csat;
  return (
    <div
      data-testid="wall-board"
      data-theme={theme}
      style={{
        background: palette.background,
        color: palette.text,
        minHeight: '100%',
        padding: 20,
        display: 'grid',
        gap: 16,
        gridTemplateColumns: 'repeat(6, minmax(0, 1fr))',
        boxSizing: 'border-box',
        fontFamily: FONT,
      }}
    >
      <header style={{ gridColumn: '1 / -1', display: 'flex', alignItems: 'baseline', gap: 24 }}>
        <h1 style={{ margin: 0, fontSize: 'clamp(24px, 2.2vw, 44px)', color: palette.text }}>
          {f.scopeName ? t('titleOf', { scope: f.scopeName }) : t('title')}
        </h1>
        <div style={{ marginLeft: 'auto', fontSize: 18, color: palette.muted }}>{status}</div>
      </header>
      <Card palette={palette} title={t('createdToday')}>
        <BigNumber value={f.createdToday} color={palette.created} testId="wall-created-today" />
      </Card>
      <Card palette={palette} title={t('solvedToday')}>
        <BigNumber value={f.solvedToday} color={palette.solved} testId="wall-solved-today" />
      </Card>
      <Card palette={palette} title={t('open')}>
        <BigNumber value={f.open} color={palette.text} testId="wall-open" />
      </Card>
      <Card palette={palette} title={t('atRisk')}>
        <BigNumber value={f.atRisk} color={f.atRisk ? palette.amber : palette.text} testId="wall-at-risk" />
      </Card>
      <Card palette={palette} title={t('breached')}>
        <BigNumber
          value={f.breached}
          color={f.breached ? palette.red : palette.text}
          testId="wall-breached"
        />
      </Card>
      <Card palette={palette} title={t('csat')}>
        {csat.count === 0 ? (
          <p style={{ fontSize: 20, color: palette.muted }}>{t('csatNone')}</p>
        ) : (
          <>
            <BigNumber
              value={
                csat.average != null ? t('csatAverage', { average: csat.average.toFixed(1) }) : csat.count
              }
              color={palette.text}
              testId="wall-csat"
            />
            <div style={{ fontSize: 18, color: palette.muted }}>
              {csat.satisfiedShare != null
                ? `${t('csatShare', { percent: Math.round(csat.satisfiedShare * 100) })} · `
                : ''}
              {t('csatCount', { count: csat.count })}
            </div>
          </>
        )}
      </Card>
      <Card palette={palette} title={t('byStatus')} style={{ gridColumn: 'span 2' }}>
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(2, 1fr)', gap: 8, marginTop: 8 }}>
          {f.openByStatus.map((s) => (
            <div key={s.status}>
              <div style={{ fontSize: 18, color: palette.muted }}>{t(`shell:status.${s.status}`)}</div>
              <div
                data-testid={`wall-status-${s.status}`}
                style={{ fontSize: 'clamp(28px, 3vw, 64px)', fontWeight: 700 }}
              >
                {s.count}
              </div>
            </div>
          ))}
        </div>
      </Card>
      <Card palette={palette} title={t('trend')} style={{ gridColumn: 'span 4' }}>
        <TrendLine
          points={f.trend}
          colors={{ created: palette.created, solved: palette.solved, axis: palette.muted }}
        />
      </Card>
      <Card palette={palette} title={t('atRisk')} style={{ gridColumn: 'span 3' }}>
        <TicketList
          palette={palette}
          tickets={f.atRiskTickets}
          empty={t('noneAtRisk')}
          color={palette.amber}
          now={now}
          testId="wall-at-risk-list"
        />
      </Card>
      <Card palette={palette} title={t('breached')} style={{ gridColumn: 'span 3' }}>
        <TicketList
          palette={palette}
          tickets={f.breachedTickets}
          empty={t('noneBreached')}
          color={palette.red}
          now={now}
          testId="wall-breached-list"
        />
      </Card>
      <Card palette={palette} title={t('byRegion')} style={{ gridColumn: 'span 3' }}>
        <GroupTable palette={palette} groups={f.byRegion} emptyName={t('rootUnit')} />
      </Card>
      <Card palette={palette} title={t('byTeam')} style={{ gridColumn: 'span 3' }}>
        <GroupTable palette={palette} groups={f.byTeam} emptyName={t('noTeam')} />
      </Card>
    </div>
  );
}
