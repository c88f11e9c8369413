import type { WidgetProps } from '@rjsf/utils';
import { Cascader, Select, TreeSelect } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useListClosesOnChoice } from '../../useListClosesOnChoice.ts';
import { loadPickerOptions, type PickerKind, type PickerOption } from '../pickers.ts';

const FULL_WIDTH = { width: '100%' } as const;

/** A choice in a tree (ui:options.options): category-like data. */
export type TreeOption = { value: string; label: string; children?: TreeOption[] };

function treeOptions(options: unknown): TreeOption[] {
  if (!Array.isArray(options)) return [];
  return options.flatMap((o): TreeOption[] => {
    if (!o || typeof o !== 'object') return [];
    const r = o as Record<string, unknown>;
    const value = typeof r.value === 'string' ? r.value : undefined;
    if (!value) return [];
    const children = treeOptions(r.children);
    return [
      {
        value,
        label: typeof r.label === 'string' && r.label ? r.label : value,
        ...(children.length > 0 ? { children } : {}),
      },
    ];
  });
}

/** A path through a tree of choices (value: the list of values from the root), e.g. a product category. */
export function CascaderWidget(props: WidgetProps) {
  const { t } = useTranslation('schemaForm');
  const value = Array.isArray(props.value) ? (props.value as string[]) : undefined;
  return (
    <Cascader
      id={props.id}
      aria-label={props.label}
      style={FULL_WIDTH}
      disabled={props.disabled || props.readonly}
      options={treeOptions(props.options.options)}
      placeholder={props.placeholder || t('cascader.placeholder')}
      showSearch
      changeOnSelect={props.options.changeOnSelect === true}
      status={props.rawErrors?.length ? 'error' : undefined}
      value={value}
      onChange={(v) => props.onChange(Array.isArray(v) && v.length > 0 ? v.map(String) : undefined)}
      onBlur={() => props.onBlur(props.id, value)}
    />
  );
}

/** One node picked from a tree of choices (value: that node's value). */
export function TreeChoiceWidget(props: WidgetProps) {
  const { t } = useTranslation('schemaForm');
  const value = typeof props.value === 'string' && props.value ? props.value : undefined;
  return (
    <TreeSelect
      id={props.id}
      aria-label={props.label}
      style={FULL_WIDTH}
      disabled={props.disabled || props.readonly}
      treeData={treeOptions(props.options.options)}
      fieldNames={{ label: 'label', value: 'value', children: 'children' }}
      placeholder={props.placeholder || t('cascader.placeholder')}
      showSearch={{ treeNodeFilterProp: 'label' }}
      treeDefaultExpandAll
      allowClear
      status={props.rawErrors?.length ? 'error' : undefined}
      value={value}
      onChange={(v) => props.onChange(v ?? undefined)}
      onBlur={() => props.onBlur(props.id, value)}
    />
  );
}

function usePickerOptions(kind: PickerKind): { options: PickerOption[]; failed: boolean; loading: boolean } {
  const [state, setState] = useState<{ options: PickerOption[]; failed: boolean; loading: boolean }>({
    options: [],
    failed: false,
    loading: true,
  });
  useEffect(() => {
    let live = true;
    loadPickerOptions(kind).then(
      (options) => live && setState({ options, failed: false, loading: false }),
      () => live && setState({ options: [], failed: true, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [kind]);
  return state;
}

function PickerWidget({ kind, ...props }: WidgetProps & { kind: PickerKind }) {
  const { t } = useTranslation('schemaForm');
  const { options, failed, loading } = usePickerOptions(kind);
  const list = useListClosesOnChoice();
  const value = typeof props.value === 'string' && props.value ? props.value : undefined;
  // a value the list lacks (a person since deactivated) is shown, not dropped
  const all =
    value && !loading && !options.some((o) => o.value === value)
      ? [{ value, label: t('picker.notListed', { value }) }, ...options]
      : options;
  return (
    <Select
      id={props.id}
      aria-label={props.label}
      style={FULL_WIDTH}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear
      loading={loading}
      disabled={props.disabled || props.readonly}
      placeholder={failed ? t('picker.loadFailed') : props.placeholder || t(`picker.${kind}`)}
      status={props.rawErrors?.length || failed ? 'error' : undefined}
      options={all}
      value={value}
      {...list.listProps}
      onChange={(v) => {
        list.chosen();
        props.onChange(v ?? undefined);
      }}
      onBlur={() => props.onBlur(props.id, value)}
    />
  );
}

/** A person (their user id), from the users the API lists. */
export function UserPickerWidget(props: WidgetProps) {
  return <PickerWidget {...props} kind="user" />;
}

/** An org unit (its id), from the org tree the API lists, named with its parents. */
export function OrgUnitPickerWidget(props: WidgetProps) {
  return <PickerWidget {...props} kind="orgUnit" />;
}
