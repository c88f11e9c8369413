import { PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Grid, Menu, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { BUILT_IN_VIEWS, VIEW_COUNT_UP_TO } from '../views.ts';

export type ViewCounts = Partial<Record<(typeof BUILT_IN_VIEWS)[number], number | null>> & {
  saved?: { id: string | null; count: number | null }[] | null;
};

/** Red for breached tickets, amber for those about to breach, blue for the rest. */
const countColour = (view: string, n: number) =>
  view === 'breached' && n > 0 ? '#a8071a' : view === 'atRisk' && n > 0 ? '#ad4e00' : '#0958d9';

/** The desk's views with their live counts; a menu beside the list, a picker on a phone. */
export function DeskViews({
  current,
  counts,
  saved,
  onPick,
}: {
  current: string;
  counts: ViewCounts | undefined;
  saved: { id: string; name: string }[];
  onPick: (view: string) => void;
}) {
  const { t } = useTranslation('desk');
  const screens = Grid.useBreakpoint();
  const countOf = (key: string) =>
    key.startsWith('saved:')
      ? counts?.saved?.find((s) => s.id === key.slice(6))?.count
      : counts?.[key as (typeof BUILT_IN_VIEWS)[number]];
  const entries = [
    { key: 'tasks', label: t('views.tasks') },
    ...BUILT_IN_VIEWS.map((v) => ({ key: v, label: t(`views.${v}`) })),
    ...saved.map((v) => ({ key: `saved:${v.id}`, label: v.name })),
  ];
  const labelOf = (e: { key: string; label: string }) => {
    const n = countOf(e.key);
    return (
      <Flex justify="space-between" gap={8} data-testid={`view-${e.key}`}>
        <span>{e.label}</span>
        {n != null ? (
          // A plain pill, not antd's Badge: the Badge rolls its digits in when a count changes, and
          // inside the phone's picker the roll was cut off half way.
          <span data-testid={`count-${e.key}`}>
            <span className="desk-view-count" title={String(n)} style={{ background: countColour(e.key, n) }}>
              {n > VIEW_COUNT_UP_TO ? `${VIEW_COUNT_UP_TO}+` : n}
            </span>
          </span>
        ) : null}
      </Flex>
    );
  };
  const newTicket = (
    <Link to="/desk/new">
      <Button type="primary" icon={<PlusOutlined />} block data-testid="new-ticket">
        {t('views.newTicket')}
      </Button>
    </Link>
  );
  if (screens.md === false)
    return (
      <Flex gap={8} style={{ marginBottom: 12 }}>
        <Select
          aria-label={t('views.label')}
          value={current}
          onChange={onPick}
          style={{ flex: 1 }}
          options={entries.map((e) => ({ value: e.key, label: labelOf(e) }))}
        />
        {newTicket}
      </Flex>
    );
  return (
    <nav aria-label={t('views.label')} style={{ width: 220, flex: '0 0 220px' }}>
      <div style={{ marginBottom: 12 }}>{newTicket}</div>
      <Menu
        mode="inline"
        selectedKeys={[current]}
        onClick={(e) => onPick(e.key)}
        items={[
          ...entries.slice(0, 1 + BUILT_IN_VIEWS.length).map((e) => ({ key: e.key, label: labelOf(e) })),
          ...(saved.length
            ? [
                {
                  type: 'group' as const,
                  key: 'saved',
                  label: t('views.saved'),
                  children: entries
                    .slice(1 + BUILT_IN_VIEWS.length)
                    .map((e) => ({ key: e.key, label: labelOf(e) })),
                },
              ]
            : []),
        ]}
      />
    </nav>
  );
}
