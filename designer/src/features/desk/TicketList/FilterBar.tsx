import { Button, Checkbox, Flex, Input, Popover, Select } from 'antd';
import { lazy, memo, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ResultOf } from '../../../graphql/graphql.ts';
import { useDisplayName } from '../../../i18n/display-name.ts';
import { customerLabel, type FoundCustomer, useCustomerSearch } from '../hooks/useCustomerSearch.ts';
import { ALL_COLUMNS, type Column, type DeskFilter, PRIORITIES, STATUSES } from '../views.ts';
import type { DeskChoicesQuery } from './ticket-list-query.ts';

const CreatedRange = lazy(() => import('./CreatedRange.tsx'));

type Choices = ResultOf<typeof DeskChoicesQuery>;
export type Sort = { field: 'CREATED_AT' | 'UPDATED_AT' | 'PRIORITY'; direction: 'ASC' | 'DESC' };

/** The requester filter: a customer found by name, phone or email as the agent types. */
function RequesterFilter({
  requesterId,
  requesterName,
  onChange,
}: {
  requesterId: string | undefined;
  requesterName: string | undefined;
  onChange: (requesterId: string | undefined) => void;
}) {
  const { t } = useTranslation('desk');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState<FoundCustomer | null>(null);
  const { found } = useCustomerSearch(text);
  const options = found.map((c) => ({ value: c.id, label: customerLabel(c) }));
  // The chosen one stays nameable after the search text changes (or came with the address).
  if (requesterId && !found.some((c) => c.id === requesterId))
    options.unshift({
      value: requesterId,
      label:
        picked?.id === requesterId
          ? customerLabel(picked)
          : (requesterName ?? t('list.requesterNamed', { id: requesterId })),
    });
  return (
    <Select
      allowClear
      showSearch={{ filterOption: false, onSearch: setText }}
      style={{ width: '100%' }}
      aria-label={t('list.requester')}
      placeholder={t('list.requesterSearch')}
      value={requesterId}
      onChange={(v?: string) => {
        setPicked(found.find((c) => c.id === v) ?? null);
        onChange(v);
      }}
      options={options}
      data-testid="requester-filter"
    />
  );
}

/** The list's filters, search, sort and column choice; every choice is the page's state (and its URL). */
export const FilterBar = memo(function FilterBar({
  filter,
  onFilter,
  sort,
  onSort,
  columns,
  onColumns,
  choices,
  requesterName,
}: {
  filter: DeskFilter;
  onFilter: (f: DeskFilter) => void;
  sort: Sort;
  onSort: (s: Sort) => void;
  columns: Column[];
  onColumns: (c: Column[]) => void;
  choices: Choices | undefined;
  /** The name of the requester the filter names, when the page knows it (from its rows). */
  requesterName?: string | undefined;
}) {
  const { t } = useTranslation(['desk', 'shell']);
  const displayName = useDisplayName();
  const set = (patch: Partial<DeskFilter>) => onFilter({ ...filter, ...patch });
  const categories = [
    ...new Set(
      (choices?.templates ?? []).flatMap((tpl) => {
        const path = tpl.published?.content?.categoryPath ?? [];
        return path.length ? [path.join(' / ')] : [];
      }),
    ),
  ];
  const templatesOfCategory = (category: string) =>
    (choices?.templates ?? [])
      .filter((tpl) => (tpl.published?.content?.categoryPath ?? []).join(' / ').startsWith(category))
      .flatMap((tpl) => (tpl.id ? [tpl.id] : []));
  const multi = {
    mode: 'multiple' as const,
    allowClear: true,
    maxTagCount: 'responsive' as const,
    style: { minWidth: 150, maxWidth: 260 },
  };
  return (
    <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }} role="search">
      <Input.Search
        aria-label={t('list.search')}
        placeholder={t('list.search')}
        allowClear
        defaultValue={filter.text}
        onSearch={(v) => set({ text: v })}
        style={{ width: 220 }}
        data-testid="ticket-search"
      />
      <Select
        {...multi}
        aria-label={t('list.status')}
        placeholder={t('list.status')}
        value={filter.status ?? []}
        onChange={(v: string[]) => set({ status: v })}
        options={STATUSES.map((s) => ({ value: s, label: t(`shell:status.${s}`) }))}
      />
      <Select
        {...multi}
        aria-label={t('list.priority')}
        placeholder={t('list.priority')}
        value={filter.priority ?? []}
        onChange={(v: string[]) => set({ priority: v })}
        options={PRIORITIES.map((p) => ({ value: p, label: t(`shell:priority.${p}`) }))}
      />
      <Popover
        trigger="click"
        placement="bottomLeft"
        content={
          <Flex vertical gap={8} style={{ width: 'min(320px, 85vw)' }}>
            <Select
              {...multi}
              style={{ width: '100%' }}
              aria-label={t('list.statusName')}
              placeholder={t('list.statusName')}
              value={filter.statusName ?? []}
              onChange={(v: string[]) => set({ statusName: v })}
              options={(choices?.ticketStatuses ?? []).map((s) => ({ value: s.name ?? '', label: s.name }))}
            />
            <Select
              allowClear
              style={{ width: '100%' }}
              aria-label={t('list.category')}
              placeholder={t('list.category')}
              onChange={(v?: string) => set({ templateId: v ? templatesOfCategory(v) : [] })}
              options={categories.map((c) => ({ value: c, label: c }))}
            />
            <Select
              {...multi}
              style={{ width: '100%' }}
              aria-label={t('list.template')}
              placeholder={t('list.template')}
              value={filter.templateId ?? []}
              onChange={(v: string[]) => set({ templateId: v })}
              options={(choices?.templates ?? []).map((tpl) => ({ value: tpl.id, label: tpl.name }))}
            />
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: '100%' }}
              aria-label={t('list.team')}
              placeholder={t('list.team')}
              value={filter.teamId}
              onChange={(v?: string) => set({ teamId: v })}
              options={(choices?.teams ?? []).map((x) => ({ value: x.id, label: x.name }))}
            />
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: '100%' }}
              aria-label={t('list.assignee')}
              placeholder={t('list.assignee')}
              value={filter.assigneeId}
              onChange={(v?: string) => set({ assigneeId: v })}
              options={(choices?.users ?? []).map((x) => ({ value: x.id, label: x.name }))}
            />
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              style={{ width: '100%' }}
              aria-label={t('list.orgUnit')}
              placeholder={t('list.orgUnit')}
              value={filter.orgUnitId}
              onChange={(v?: string) => set({ orgUnitId: v })}
              options={(choices?.orgUnits ?? []).map((x) => ({ value: x.id, label: x.name }))}
            />
            <RequesterFilter
              requesterId={filter.requesterId}
              requesterName={requesterName}
              onChange={(requesterId) => set({ requesterId })}
            />
            <Select
              {...multi}
              style={{ width: '100%' }}
              aria-label={t('list.channel')}
              placeholder={t('list.channel')}
              value={filter.channel ?? []}
              onChange={(v: string[]) => set({ channel: v })}
              options={(choices?.channels ?? []).map((c) => ({
                value: c.key,
                label: displayName(c.title, c.titles),
              }))}
            />
            <Suspense
              fallback={<Input disabled aria-label={t('list.created')} placeholder={t('list.created')} />}
            >
              <CreatedRange
                label={t('list.created')}
                after={filter.createdAfter}
                before={filter.createdBefore}
                onChange={(range) => set(range)}
              />
            </Suspense>
            <Button onClick={() => onFilter({})}>{t('list.clear')}</Button>
          </Flex>
        }
      >
        <Button>{t('list.filters')}</Button>
      </Popover>
      <Select
        aria-label={t('list.sort')}
        value={`${sort.field}:${sort.direction}`}
        style={{ minWidth: 150 }}
        onChange={(v: string) => {
          const [field, direction] = v.split(':') as [Sort['field'], Sort['direction']];
          onSort({ field, direction });
        }}
        options={(['UPDATED_AT', 'CREATED_AT', 'PRIORITY'] as const).flatMap((f) =>
          (['DESC', 'ASC'] as const).map((d) => ({
            value: `${f}:${d}`,
            label: `${t(`list.sortBy.${f}`)} · ${t(d === 'ASC' ? 'list.asc' : 'list.desc')}`,
          })),
        )}
      />
      <Popover
        trigger="click"
        content={
          <Checkbox.Group
            value={columns}
            onChange={(v) => onColumns(ALL_COLUMNS.filter((c) => (v as string[]).includes(c)))}
            style={{ display: 'grid', gap: 4 }}
            options={ALL_COLUMNS.map((c) => ({ value: c, label: t(`list.columns.${c}`) }))}
          />
        }
      >
        <Button>{t('list.columnsButton')}</Button>
      </Popover>
    </Flex>
  );
});
