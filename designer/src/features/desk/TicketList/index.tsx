import { Alert, Button, Checkbox, Flex, Grid, Space, Tag, Typography, theme } from 'antd';
import { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { type ResultOf, readFragment } from '../../../graphql/graphql.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { useTicketFeed } from '../hooks/useTicketFeed.ts';
import { SlaCountdown } from '../SlaCountdown/index.tsx';
import { priorityStyle, TONE_STYLE } from '../SlaCountdown/tone-style.ts';
import { type Column, type DeskFilter, mergeStable } from '../views.ts';
import { BulkBar } from './BulkBar.tsx';
import { FilterBar, type Sort } from './FilterBar.tsx';
import { type DeskChoicesQuery, DeskTicketsQuery, TicketRowFragment } from './ticket-list-query.ts';

export type Row = Omit<ResultOf<typeof TicketRowFragment>, 'id' | 'number'> & { id: string; number: string };
type Choices = ResultOf<typeof DeskChoicesQuery>;

const PAGE = 50;
/** The list's count stops here ("more than 9,999"): a long list is not counted through on each read. */
export const COUNT_UP_TO = 9_999;

/** The clock to show in a row: the breached or earliest-due open one. */
function leadClock(row: Row) {
  const open = (row.slaClocks ?? []).filter(
    (c) => c.status === 'running' || c.status === 'breached' || c.status === 'paused',
  );
  return (
    open.find((c) => c.status === 'breached') ??
    open.filter((c) => c.dueAt).sort((a, b) => Date.parse(a.dueAt!) - Date.parse(b.dueAt!))[0] ??
    open[0]
  );
}

/** Channels' titles in the page's language, by key (rows are memoized: a context reaches them). */
const ChannelTitles = createContext<ReadonlyMap<string, string>>(new Map());

function Cell({ row, column }: { row: Row; column: Column }) {
  const { t } = useTranslation(['desk', 'shell']);
  const channelTitles = useContext(ChannelTitles);
  switch (column) {
    case 'number':
      return (
        <Link
          to={`/desk/tickets/${encodeURIComponent(row.number ?? '')}`}
          style={{ fontFamily: 'monospace' }}
        >
          {row.number}
        </Link>
      );
    case 'title':
      return <>{row.title}</>;
    case 'status':
      return <Tag>{row.statusName ?? (row.status ? t(`shell:status.${row.status}`) : '')}</Tag>;
    case 'priority':
      return row.priority ? (
        <Tag style={priorityStyle(row.priority)}>{t(`shell:priority.${row.priority}`)}</Tag>
      ) : null;
    case 'assignee':
      return <>{row.assignee?.name ?? t('list.nobody')}</>;
    case 'team':
      return <>{row.team?.name ?? ''}</>;
    case 'requester':
      return <>{row.requester?.name ?? ''}</>;
    case 'template':
      return <>{row.template?.name ?? ''}</>;
    case 'channel':
      return <>{row.channel ? (channelTitles.get(row.channel) ?? row.channel) : ''}</>;
    case 'sla': {
      const c = leadClock(row);
      return c ? (
        <SlaCountdown
          label={t(`sla.metric.${c.metric ?? 'resolution'}`)}
          clock={{
            status: c.status,
            dueAt: c.dueAt,
            targetSeconds: c.targetSeconds,
            secondsLeftAtRead: c.businessSecondsLeft,
          }}
        />
      ) : null;
    }
    case 'createdAt':
      return <DateTime value={row.createdAt} />;
    case 'updatedAt':
      return <DateTime value={row.updatedAt} />;
  }
}

const TicketRow = memo(function TicketRow({
  row,
  columns,
  isFocused,
  isSelected,
  onSelect,
  onFocus,
}: {
  row: Row;
  columns: Column[];
  isFocused: boolean;
  isSelected: boolean;
  onSelect: (id: string, on: boolean) => void;
  onFocus: (id: string) => void;
}) {
  const { t } = useTranslation('desk');
  const { token } = theme.useToken();
  const cell = { padding: '8px 12px', borderBottom: `1px solid ${token.colorBorderSecondary}` };
  return (
    <tr
      data-testid="ticket-row"
      data-number={row.number}
      aria-selected={isFocused}
      onMouseDown={() => onFocus(row.id)}
      style={{
        background: isFocused ? token.colorPrimaryBg : isSelected ? token.colorFillTertiary : undefined,
      }}
    >
      <td style={cell}>
        <Checkbox
          aria-label={t('list.selectRow', { number: row.number })}
          checked={isSelected}
          onChange={(e) => onSelect(row.id, e.target.checked)}
        />
      </td>
      {columns.map((c) => (
        <td key={c} style={cell}>
          <Cell row={row} column={c} />
        </td>
      ))}
    </tr>
  );
});

/** A ticket as a card, for phone screens. */
const TicketCard = memo(function TicketCard({ row, isFocused }: { row: Row; isFocused: boolean }) {
  const { token } = theme.useToken();
  return (
    <li
      data-testid="ticket-row"
      data-number={row.number}
      style={{
        listStyle: 'none',
        padding: 12,
        borderBottom: `1px solid ${token.colorBorderSecondary}`,
        background: isFocused ? token.colorPrimaryBg : undefined,
      }}
    >
      <Flex justify="space-between" gap={8} wrap>
        <Cell row={row} column="number" />
        <Cell row={row} column="sla" />
      </Flex>
      <div style={{ fontWeight: 500, margin: '4px 0' }}>{row.title}</div>
      <Space size={4} wrap>
        <Cell row={row} column="status" />
        <Cell row={row} column="priority" />
        <Typography.Text type="secondary">
          <Cell row={row} column="assignee" />
        </Typography.Text>
      </Space>
    </li>
  );
});

const isTyping = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));

/**
 * The desk's ticket list: one view's tickets with the person's filters, search, sort and columns;
 * bulk changes; j/k and Enter; live: changed rows update in place, new ones wait behind a bar.
 */
export function TicketList({
  filter,
  extra,
  onExtra,
  sort,
  onSort,
  columns,
  onColumns,
  choices,
  heading,
  onFirstPage,
}: {
  filter: DeskFilter;
  extra: DeskFilter;
  onExtra: (f: DeskFilter) => void;
  sort: Sort;
  onSort: (s: Sort) => void;
  columns: Column[];
  onColumns: (c: Column[]) => void;
  choices: Choices | undefined;
  heading: React.ReactNode;
  /** Called once a first page is shown (what waits for the list may then start). */
  onFirstPage?: () => void;
}) {
  const { t } = useTranslation('desk');
  const displayName = useDisplayName();
  const channelTitles = useMemo(
    () => new Map((choices?.channels ?? []).map((c) => [c.key ?? '', displayName(c.title, c.titles)])),
    [choices, displayName],
  );
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const isNarrow = screens.md === false;
  const [rows, setRows] = useState<Row[]>([]);
  const [waiting, setWaiting] = useState<Row[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [isLoading, setIsLoading] = useState(true);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [focus, setFocus] = useState<string | null>(null);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const variables = useMemo(() => ({ filter, orderBy: sort }), [filter, sort]);
  const key = JSON.stringify(variables);

  const read = useCallback(
    async (after: string | null) => {
      const data = await request(DeskTicketsQuery, {
        ...(JSON.parse(key) as typeof variables),
        first: PAGE,
        after,
        // The next pages need no count.
        countUpTo: after ? 0 : COUNT_UP_TO,
      } as never);
      const page: Row[] = (data.tickets?.edges ?? []).flatMap((e) => {
        const r = e?.node ? readFragment(TicketRowFragment, e.node) : null;
        return r?.id ? [{ ...r, id: r.id, number: r.number ?? '' }] : [];
      });
      return { page, info: data.tickets?.pageInfo, total: data.tickets?.countUpTo ?? null };
    },
    [key],
  );

  // A new view, filter or sort: read the first page afresh.
  useEffect(() => {
    let isCurrent = true;
    setIsLoading(true);
    read(null).then(
      ({ page, info, total }) => {
        if (!isCurrent) return;
        setRows(page);
        setWaiting([]);
        setTotal(total);
        setCursor(info?.endCursor ?? null);
        setHasMore(Boolean(info?.hasNextPage));
        setSelected(new Set());
        setFocus(page[0]?.id ?? null);
        setError(null);
        setIsLoading(false);
        onFirstPage?.();
      },
      (e: Error) => {
        if (!isCurrent) return;
        setError(e);
        setIsLoading(false);
        onFirstPage?.();
      },
    );
    return () => {
      isCurrent = false;
    };
  }, [read, onFirstPage]);

  // Live: read the first page again (once per burst of changes) and merge it without moving rows.
  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onFeed = useCallback(() => {
    clearTimeout(refresh.current);
    refresh.current = setTimeout(async () => {
      const { page, total } = await read(null).catch(() => ({ page: null, total: null }));
      if (!page) return;
      const shownFirstPage = rowsRef.current.slice(0, PAGE);
      const merged = mergeStable(shownFirstPage, page);
      setRows([...merged.rows, ...rowsRef.current.slice(PAGE)]);
      setWaiting(merged.waiting);
      setTotal(total);
    }, 400);
  }, [read]);
  // Back after the feed was down (a server restart): the same read catches up on what was missed.
  const isLive = useTicketFeed(onFeed);
  useEffect(() => () => clearTimeout(refresh.current), []);

  const showWaiting = () => {
    setRows((r) => [...waiting, ...r]);
    setWaiting([]);
  };
  const loadMore = async () => {
    const { page, info } = await read(cursor);
    setRows((r) => [...r, ...page.filter((p) => !r.some((x) => x.id === p.id))]);
    setCursor(info?.endCursor ?? null);
    setHasMore(Boolean(info?.hasNextPage));
  };
  const onSelect = useCallback((id: string, on: boolean) => {
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }, []);

  // j / k move, Enter opens, x selects: anywhere on the page but in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
      const list = rowsRef.current;
      const at = list.findIndex((r) => r.id === focus);
      if (e.key === 'j' || e.key === 'k') {
        const next = list[Math.max(0, Math.min(list.length - 1, at + (e.key === 'j' ? 1 : -1)))];
        if (next) {
          setFocus(next.id);
          document
            .querySelector(`[data-number="${CSS.escape(next.number ?? '')}"]`)
            ?.scrollIntoView({ block: 'nearest' });
        }
      } else if (e.key === 'Enter' && at >= 0) {
        navigate(`/desk/tickets/${encodeURIComponent(list[at]!.number ?? '')}`);
      } else if (e.key === 'x' && at >= 0) {
        onSelect(list[at]!.id, !selected.has(list[at]!.id));
      } else return;
      e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [focus, navigate, onSelect, selected]);

  const { token } = theme.useToken();
  const head = {
    padding: '8px 12px',
    textAlign: 'start' as const,
    borderBottom: `1px solid ${token.colorBorder}`,
    whiteSpace: 'nowrap' as const,
  };
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const countText =
    total === null
      ? t('list.count', { count: rows.length })
      : total > COUNT_UP_TO
        ? t('list.countMore', { count: COUNT_UP_TO })
        : t('list.count', { count: total });

  return (
    <ChannelTitles.Provider value={channelTitles}>
      <section aria-label={countText}>
        <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }}>
          <h1 style={{ margin: 0, fontSize: 22 }}>{heading}</h1>
          <Space size={8}>
            {total !== null ? <Typography.Text data-testid="list-total">{countText}</Typography.Text> : null}
            <Tag
              style={isLive ? TONE_STYLE.ok : TONE_STYLE.warning}
              data-testid="list-live"
              data-live={isLive ? 'yes' : 'no'}
            >
              {t(isLive ? 'list.live' : 'list.reconnecting')}
            </Tag>
          </Space>
        </Flex>
        <FilterBar
          filter={extra}
          onFilter={onExtra}
          sort={sort}
          onSort={onSort}
          columns={columns}
          onColumns={onColumns}
          choices={choices}
          requesterName={extra.requesterId ? (rows[0]?.requester?.name ?? undefined) : undefined}
        />
        {selected.size > 0 ? (
          <BulkBar
            ids={[...selected]}
            users={(choices?.users ?? []).map((u) => ({ id: u.id ?? '', name: u.name ?? '' }))}
            onDone={() => {
              setSelected(new Set());
              onFeed();
            }}
          />
        ) : null}
        {waiting.length > 0 ? (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 8, cursor: 'pointer' }}
            title={
              <Button type="link" onClick={showWaiting} style={{ padding: 0 }} data-testid="show-waiting">
                {t('list.waiting', { count: waiting.length })}
              </Button>
            }
          />
        ) : null}
        {error ? <QueryError error={error as never} onRetry={() => void loadMore()} /> : null}
        {!isLoading && rows.length === 0 ? (
          <Typography.Paragraph>{t('list.empty')}</Typography.Paragraph>
        ) : null}
        {isNarrow ? (
          <ul style={{ padding: 0, margin: 0 }} aria-label={countText}>
            {rows.map((r) => (
              <TicketCard key={r.id} row={r} isFocused={r.id === focus} />
            ))}
          </ul>
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <table style={{ width: '100%', borderCollapse: 'collapse' }} data-testid="ticket-table">
              <thead>
                <tr>
                  <th style={head}>
                    <Checkbox
                      aria-label={t('list.selectAll')}
                      checked={allSelected}
                      onChange={(e) =>
                        setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())
                      }
                    />
                  </th>
                  {columns.map((c) => (
                    <th key={c} style={head} scope="col">
                      {t(`list.columns.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <TicketRow
                    key={r.id}
                    row={r}
                    columns={columns}
                    isFocused={r.id === focus}
                    isSelected={selected.has(r.id)}
                    onSelect={onSelect}
                    onFocus={setFocus}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Flex justify="space-between" align="center" style={{ marginTop: 12 }} wrap gap={8}>
          <Typography.Text type="secondary">{t('list.keys')}</Typography.Text>
          {hasMore ? (
            <Button onClick={() => void loadMore()} data-testid="load-more">
              {t('list.more')}
            </Button>
          ) : null}
        </Flex>
      </section>
    </ChannelTitles.Provider>
  );
}
