import { Button, Flex, Grid, Input, Modal, message } from 'antd';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useSearchParams } from 'react-router';
import { NotFound } from '../../../app/refusal-pages.tsx';
import { request } from '../../../graphql/client.ts';
import { graphql, type ResultOf } from '../../../graphql/graphql.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { Text } from '../../../ui/Text/index.tsx';
import { CallerPopup } from '../CallerPopup/index.tsx';
import { DeskViews } from '../DeskViews/index.tsx';
import { useTicketFeed } from '../hooks/useTicketFeed.ts';
import { MyTaskFragment, MyTasks } from '../MyTasks/index.tsx';
import { NotificationBell } from '../NotificationBell/index.tsx';
import type { Sort } from '../TicketList/FilterBar.tsx';
import { TicketList } from '../TicketList/index.tsx';
import { DeskChoicesQuery } from '../TicketList/ticket-list-query.ts';
import {
  ALL_COLUMNS,
  builtInFilter,
  type Column,
  DEFAULT_COLUMNS,
  type DeskFilter,
  isBuiltInView,
  mergeFilters,
  VIEW_COUNT_UP_TO,
} from '../views.ts';

const TicketPage = lazy(() => import('../TicketPage/index.tsx'));
const NewTicketPage = lazy(() => import('../NewTicketPage/index.tsx'));

const MyTasksQuery = graphql(
  `
    query DeskMyTasks {
      myTasks(first: 100, includeQueues: true) {
        ...MyTask
      }
    }
  `,
  [MyTaskFragment],
);

const DeskStateQuery = graphql(`
  query DeskState {
    me {
      user {
        id
        teams {
          id
        }
      }
    }
    savedViews {
      id
      name
      filter
      orderBy
      columns
    }
  }
`);

/** The views' counts, read beside (not before) the list: capped, so a long view is not counted through. */
const DeskCountsQuery = graphql(`
  query DeskCounts($upTo: Int) {
    deskViewCounts(upTo: $upTo) {
      mine
      team
      unassigned
      open
      atRisk
      breached
      saved {
        id
        count
      }
    }
  }
`);

const SaveView = graphql(`
  mutation DeskSaveView($view: SavedViewInput!) {
    saveView(view: $view) {
      __typename
      ... on Error {
        message
      }
    }
  }
`);

function MyTasksPage() {
  const { t } = useTranslation('desk');
  const { data, error, isLoading, refetch } = useQuery(MyTasksQuery, {});
  useTicketFeed(refetch);
  return (
    <>
      <PageHeading title={t('myTasks.title')} />
      <Text as="p">{t('myTasks.hint')}</Text>
      {error ? <QueryError error={error} onRetry={refetch} /> : null}
      {isLoading && !data ? <PageLoading /> : null}
      {data ? <MyTasks tasks={data.myTasks ?? []} /> : null}
    </>
  );
}

const parse = <T,>(text: string | null, fallback: T): T => {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

/** The desk's home: its views beside the chosen one's list (or my tasks); all of it in the address. */
function DeskHome() {
  const { t } = useTranslation('desk');
  const [params, setParams] = useSearchParams();
  // ?filter= (a report's drill-down): those tickets, on no view's own filter.
  const view = params.get('view') ?? (params.has('filter') ? 'filtered' : 'tasks');
  const { data, refetch } = useQuery(DeskStateQuery, {});
  // The counts wait for the list's first page (the list comes first; the counts then run alone).
  const [isListShown, setIsListShown] = useState(false);
  const [counts, setCounts] = useState<ResultOf<typeof DeskCountsQuery>['deskViewCounts']>();
  const [countsRead, setCountsRead] = useState(0);
  const refetchCounts = useCallback(() => setCountsRead((n) => n + 1), []);
  const mayCount = isListShown || view === 'tasks';
  // biome-ignore lint/correctness/useExhaustiveDependencies: countsRead asks for a fresh read
  useEffect(() => {
    if (!mayCount) return;
    const controller = new AbortController();
    request(DeskCountsQuery, { upTo: VIEW_COUNT_UP_TO }, { signal: controller.signal }).then(
      (d) => setCounts(d.deskViewCounts),
      () => {}, // the counts are a hint: the next read (a change, or 30 s) tries again
    );
    return () => controller.abort();
  }, [mayCount, countsRead]);
  const onFirstPage = useCallback(() => setIsListShown(true), []);
  const choices = useQuery(DeskChoicesQuery, {});
  const [api, holder] = message.useMessage();
  const isNarrow = Grid.useBreakpoint().md === false;
  const [isSaving, setIsSaving] = useState(false);
  const [viewName, setViewName] = useState('');

  // Counts follow every change the person may see (once per burst), and the clock (breaches).
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onFeed = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(refetchCounts, 500);
  }, [refetchCounts]);
  useTicketFeed(onFeed);
  useEffect(() => {
    const every = setInterval(refetchCounts, 30_000);
    return () => {
      clearInterval(every);
      clearTimeout(timer.current);
    };
  }, [refetchCounts]);

  const saved = (data?.savedViews ?? []).map((v) => ({
    id: v.id ?? '',
    name: v.name ?? '',
    filter: (v.filter ?? {}) as DeskFilter,
    orderBy: (v.orderBy ?? null) as Sort | null,
    columns: (v.columns ?? []) as Column[],
  }));
  const savedView = view.startsWith('saved:') ? saved.find((v) => v.id === view.slice(6)) : undefined;
  const me = {
    userId: data?.me?.user?.id ?? '',
    teamIds: (data?.me?.user?.teams ?? []).flatMap((x) => (x.id ? [x.id] : [])),
  };
  const base: DeskFilter = isBuiltInView(view) ? builtInFilter(view, me) : (savedView?.filter ?? {});
  const extra = parse<DeskFilter>(params.get('f') ?? params.get('filter'), {});
  const sort = parse<Sort>(
    params.get('sort'),
    savedView?.orderBy ?? { field: 'UPDATED_AT', direction: 'DESC' },
  );
  const columns = parse<Column[]>(
    params.get('cols'),
    savedView?.columns.length ? savedView.columns : DEFAULT_COLUMNS,
  ).filter((c) => (ALL_COLUMNS as readonly string[]).includes(c));
  const filterKey = JSON.stringify(mergeFilters(base, extra));
  const filter = useMemo(() => JSON.parse(filterKey) as DeskFilter, [filterKey]);

  const set = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) next.delete(k);
      else next.set(k, v);
    }
    setParams(next);
  };
  // Only "mine", "team" and saved views need the person's state to know their filter: the others
  // (all open, unassigned, …) start their list at once, beside the state's read.
  const needsState = view === 'mine' || view === 'team' || view.startsWith('saved:');
  const isReady = data !== undefined || !needsState;
  const heading = isBuiltInView(view) ? t(`views.${view}`) : (savedView?.name ?? '');

  return (
    <Flex
      gap={isNarrow ? 0 : 24}
      vertical={isNarrow}
      align={isNarrow ? 'stretch' : 'flex-start'}
      style={{ minWidth: 0 }}
    >
      {holder}
      <DeskViews
        current={view}
        counts={counts ?? undefined}
        saved={saved}
        onPick={(v) => setParams(new URLSearchParams({ view: v }))}
      />
      <main style={{ flex: 1, minWidth: 0 }}>
        <Flex justify="flex-end" gap={8} style={{ marginBottom: 8 }}>
          {view !== 'tasks' ? <Button onClick={() => setIsSaving(true)}>{t('views.save')}</Button> : null}
          <NotificationBell />
        </Flex>
        {view === 'tasks' ? (
          <MyTasksPage />
        ) : !isReady ? (
          <PageLoading />
        ) : (
          <TicketList
            onFirstPage={onFirstPage}
            heading={heading}
            filter={filter}
            extra={extra}
            onExtra={(f) => set({ f: Object.keys(f).length ? JSON.stringify(f) : null })}
            sort={sort}
            onSort={(s) => set({ sort: JSON.stringify(s) })}
            columns={columns}
            onColumns={(c) => set({ cols: JSON.stringify(c) })}
            choices={choices.data}
          />
        )}
      </main>
      <Modal
        open={isSaving}
        title={t('views.save')}
        onCancel={() => setIsSaving(false)}
        onOk={async () => {
          const r = await request(SaveView, {
            view: { name: viewName, filter: filter as never, orderBy: sort, columns },
          });
          if (
            r.saveView &&
            '__typename' in r.saveView &&
            r.saveView.__typename !== 'SavedView' &&
            'message' in r.saveView
          )
            void api.error(r.saveView.message ?? '');
          else {
            void api.success(t('views.saved_ok'));
            setIsSaving(false);
            refetch();
            refetchCounts();
          }
        }}
      >
        <Input
          aria-label={t('views.saveName')}
          placeholder={t('views.saveName')}
          value={viewName}
          onChange={(e) => setViewName(e.target.value)}
        />
      </Modal>
    </Flex>
  );
}

/** /desk: the agent desk — views and lists, ticket pages, new tickets. */
export default function DeskArea() {
  return (
    <>
      <Suspense fallback={<PageLoading />}>
        <Routes>
          <Route index element={<DeskHome />} />
          <Route path="tickets/:number" element={<TicketPage />} />
          <Route path="new" element={<NewTicketPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
      {/* Calls ringing for me, on every desk page. */}
      <CallerPopup />
    </>
  );
}
