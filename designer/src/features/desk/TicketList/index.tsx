import { Alert, Button, Checkbox, Flex, Grid, Space, Tag, Typography, theme } from 'antd';
import type { TFunction } from 'i18next';
import { type CSSProperties, memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { type ResultOf, readFragment } from '../../../graphql/graphql.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { formatDateTime } from '../../../ui/DateTime/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { useTicketFeed } from '../hooks/useTicketFeed.ts';
import { SlaCountdown } from '../SlaCountdown/index.tsx';
import { priorityStyle, TONE_STYLE } from '../SlaCountdown/tone-style.ts';
import { type Column, type DeskFilter, mergeStable } from '../views.ts';
import '../desk.css';
import { BulkBar } from './BulkBar.tsx';
import { FilterBar, type Sort } from './FilterBar.tsx';
import { COUNT_UP_TO, listKey, PAGE, takeFirstPage, takeFirstPageAnswer } from './first-page.ts';
import { type DeskChoicesQuery, DeskTicketsQuery, TicketRowFragment } from './ticket-list-query.ts';

export type Row = Omit<ResultOf<typeof TicketRowFragment>, 'id' | 'number'> & { id: string; number: string };
type Choices = ResultOf<typeof DeskChoicesQuery>;
/** The rows' translator: desk texts, and shell's (statuses, priorities). */
type RowT = TFunction<['desk', 'shell']>;

export { COUNT_UP_TO } from './first-page.ts';

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

/** An instant from the API in the browser's time zone, as ui/DateTime shows it (no hook per cell). */
function dateTime(value: string | null | undefined, t: RowT) {
  if (!value) return t('shell:empty');
  return <time dateTime={value}>{formatDateTime(value)}</time>;
}

/** One cell's content: plain elements (a page draws hundreds of them), `t` and the channels' titles (in the page's language, by key) from the list. */
function cell(row: Row, column: Column, t: RowT, channelTitles?: ReadonlyMap<string, string>) {
  switch (column) {
    case 'number':
      return (
        <Link to={`/desk/tickets/${encodeURIComponent(row.number ?? '')}`} className="desk-number">
          {row.number}
        </Link>
      );
    case 'title':
      return row.title;
    case 'status':
      return (
        <span className="desk-tag">
          {row.statusName ?? (row.status ? t(`shell:status.${row.status}`) : '')}
        </span>
      );
    case 'priority':
      return row.priority ? (
        <span className="desk-tag" style={priorityStyle(row.priority)}>
          {t(`shell:priority.${row.priority}`)}
        </span>
      ) : null;
    case 'assignee':
      return row.assignee?.name ?? t('desk:list.nobody');
    case 'team':
      return row.team?.name ?? '';
    case 'requester':
      return row.requester?.name ?? '';
    case 'template':
      return row.template?.name ?? '';
    case 'channel':
      return row.channel ? (channelTitles?.get(row.channel) ?? row.channel) : '';
    case 'sla': {
      const c = leadClock(row);
      return c ? (
        <SlaCountdown
          label={t(`desk:sla.metric.${c.metric ?? 'resolution'}`)}
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
      return dateTime(row.createdAt, t);
    case 'updatedAt':
      return dateTime(row.updatedAt, t);
  }
}

/** A ticket as a table row: memoised, so a change of focus or selection redraws only the rows it touches. */
const TicketRow = memo(function TicketRow({
  row,
  columns,
  isFocused,
  isSelected,
  onSelect,
  onFocus,
  t,
  channelTitles,
}: {
  row: Row;
  columns: Column[];
  isFocused: boolean;
  isSelected: boolean;
  onSelect: (id: string, on: boolean) => void;
  onFocus: (id: string) => void;
  t: RowT;
  channelTitles: ReadonlyMap<string, string>;
}) {
  return (
    <tr
      data-testid="ticket-row"
      data-number={row.number}
      data-selected={isSelected ? 'yes' : undefined}
      aria-selected={isFocused}
      onMouseDown={() => onFocus(row.id)}
    >
      <td>
        <input
          type="checkbox"
          className="desk-check"
          aria-label={t('desk:list.selectRow', { number: row.number })}
          checked={isSelected}
          onChange={(e) => onSelect(row.id, e.target.checked)}
        />
      </td>
      {columns.map((c) => (
        <td key={c}>{cell(row, c, t, channelTitles)}</td>
      ))}
    </tr>
  );
});

/** A ticket as a card, for phone screens. */
const TicketCard = memo(function TicketCard({
  row,
  isFocused,
  t,
}: {
  row: Row;
  isFocused: boolean;
  t: RowT;
}) {
  return (
    <li
      className="desk-card"
      data-testid="ticket-row"
      data-number={row.number}
      data-focused={isFocused ? 'yes' : undefined}
    >
      <div className="desk-card-head">
        {cell(row, 'number', t)}
        {cell(row, 'sla', t)}
      </div>
      <div className="desk-card-title">{row.title}</div>
      <div className="desk-card-facts">
        {cell(row, 'status', t)}
        {cell(row, 'priority', t)}
        <span className="desk-secondary">{cell(row, 'assignee', t)}</span>
      </div>
    </li>
  );
});

/** A read of the list as the rows, the page's cursor and the capped count. */
function pageOf(data: ResultOf<typeof DeskTicketsQuery>) {
  const page: Row[] = (data.tickets?.edges ?? []).flatMap((e) => {
    const r = e?.node ? readFragment(TicketRowFragment, e.node) : null;
    return r?.id ? [{ ...r, id: r.id, number: r.number ?? '' }] : [];
  });
  return { page, info: data.tickets?.pageInfo, total: data.tickets?.countUpTo ?? null };
}

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
  // The rows' one translator (desk and shell texts), handed down: no hook per row or cell.
  const { t: rowT } = useTranslation(['desk', 'shell']);
  const displayName = useDisplayName();
  const channelTitles = useMemo(
    () => new Map((choices?.channels ?? []).map((c) => [c.key ?? '', displayName(c.title, c.titles)])),
    [choices, displayName],
  );
  const navigate = useNavigate();
  const screens = Grid.useBreakpoint();
  const isNarrow = screens.md === false;
  const key = listKey(filter, sort);
  // The first page, when the page's early read has it already: the first render shows the rows.
  const [answered] = useState(() => {
    const data = takeFirstPageAnswer(key);
    return data ? { key, ...pageOf(data) } : undefined;
  });
  const shownFirst = useRef(answered?.key);
  const [rows, setRows] = useState<Row[]>(answered?.page ?? []);
  const [waiting, setWaiting] = useState<Row[]>([]);
  const [total, setTotal] = useState<number | null>(answered?.total ?? null);
  const [cursor, setCursor] = useState<string | null>(answered?.info?.endCursor ?? null);
  const [hasMore, setHasMore] = useState(Boolean(answered?.info?.hasNextPage));
  const [error, setError] = useState<Error | null>(null);
  const [isLoading, setIsLoading] = useState(!answered);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [focus, setFocus] = useState<string | null>(answered?.page[0]?.id ?? null);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;

  const read = useCallback(
    async (after: string | null, isFirstRead = false) =>
      pageOf(
        await ((isFirstRead ? takeFirstPage(key) : undefined) ??
          request(DeskTicketsQuery, {
            ...(JSON.parse(key) as { filter: DeskFilter; orderBy: Sort }),
            first: PAGE,
            after,
            // The next pages need no count.
            countUpTo: after ? 0 : COUNT_UP_TO,
          } as never)),
      ),
    [key],
  );

  // A new view, filter or sort: read the first page afresh.
  useEffect(() => {
    // Shown already from the early read's answer (the first render).
    if (shownFirst.current === key) {
      shownFirst.current = undefined;
      onFirstPage?.();
      return;
    }
    let isCurrent = true;
    setIsLoading(true);
    // The app may have started this read already, as it opened on this list (first-page.ts).
    read(null, true).then(
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
  }, [read, onFirstPage, key]);

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
  // The theme's colours for the rows' CSS (desk.css), set once on the list.
  const colours = {
    '--desk-border': token.colorBorder,
    '--desk-border-soft': token.colorBorderSecondary,
    '--desk-focused': token.colorPrimaryBg,
    '--desk-selected': token.colorFillTertiary,
    '--desk-secondary': token.colorTextSecondary,
  } as CSSProperties;
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const countText =
    total === null
      ? t('list.count', { count: rows.length })
      : total > COUNT_UP_TO
        ? t('list.countMore', { count: COUNT_UP_TO })
        : t('list.count', { count: total });

  return (
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
        <ul style={{ padding: 0, margin: 0, ...colours }} aria-label={countText}>
          {rows.map((r) => (
            <TicketCard key={r.id} row={r} isFocused={r.id === focus} t={rowT} />
          ))}
        </ul>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <table className="desk-table" style={colours} data-testid="ticket-table">
            <thead>
              <tr>
                <th>
                  {/* One for the list (antd's; the rows' are plain ones in its look). */}
                  <Checkbox
                    aria-label={t('list.selectAll')}
                    checked={allSelected}
                    onChange={(e) =>
                      setSelected(e.target.checked ? new Set(rows.map((r) => r.id)) : new Set())
                    }
                  />
                </th>
                {columns.map((c) => (
                  <th key={c} scope="col">
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
                  t={rowT}
                  channelTitles={channelTitles}
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
  );
}
