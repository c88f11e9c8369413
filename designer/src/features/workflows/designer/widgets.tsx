import type { FieldProps, RegistryFieldsType, RegistryWidgetsType, WidgetProps } from '@rjsf/utils';
import { Input, Select, Typography } from 'antd';
import { createContext, useContext, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConditionEditor } from '../conditions/ConditionEditor.tsx';
import type { RuleField } from '../conditions/rule-cel.ts';
import type { PickerKind } from './inspector-ui.ts';

/** What the inspector's pickers list, read from the API once per designer. */
export type PickerOption = { value: string; label: string };
export type PickerLists = Partial<Record<PickerKind, PickerOption[]>>;

export type InspectorContext = {
  pickers: PickerLists;
  ruleFields: readonly RuleField[];
  /** Human steps of the graph (for "reject to"). */
  humanSteps: PickerOption[];
  nodeId: string;
};

export const InspectorContextValue = createContext<InspectorContext>({
  pickers: {},
  ruleFields: [],
  humanSteps: [],
  nodeId: '',
});

/** A stored thing (user, team, role, org unit, calendar, named status) picked from the API's list. */
function PickerWidget(props: WidgetProps) {
  const { t } = useTranslation('workflows');
  const ctx = useContext(InspectorContextValue);
  const kind = (props.options.picker ?? 'user') as PickerKind;
  const options = ctx.pickers[kind] ?? [];
  const value = typeof props.value === 'string' && props.value !== '' ? props.value : undefined;
  // a value the list lacks (a user since deactivated) is still shown, not dropped
  const all =
    value && !options.some((o) => o.value === value)
      ? [{ value, label: `${value} (${t('inspector.notListed')})` }, ...options]
      : options;
  return (
    <Select
      id={props.id}
      aria-label={props.label}
      showSearch={{ optionFilterProp: 'label' }}
      allowClear
      disabled={props.disabled || props.readonly}
      value={value}
      placeholder={t(`inspector.pick.${kind}` as 'inspector.pick.user')}
      options={all}
      onChange={(v) => props.onChange(v ?? undefined)}
      status={props.rawErrors?.length ? 'error' : undefined}
      style={{ width: '100%' }}
    />
  );
}

function NodePickerWidget(props: WidgetProps) {
  const { t } = useTranslation('workflows');
  const ctx = useContext(InspectorContextValue);
  return (
    <Select
      id={props.id}
      aria-label={props.label}
      allowClear
      value={typeof props.value === 'string' && props.value ? props.value : undefined}
      placeholder={t('inspector.pick.step')}
      options={ctx.humanSteps.filter((o) => o.value !== ctx.nodeId)}
      onChange={(v) => props.onChange(v ?? undefined)}
      status={props.rawErrors?.length ? 'error' : undefined}
      style={{ width: '100%' }}
    />
  );
}

/** A CEL field: conditions get the rule builder beside the text; other expressions the text. */
function CelWidget(props: WidgetProps) {
  const ctx = useContext(InspectorContextValue);
  const value = typeof props.value === 'string' ? props.value : '';
  if (props.options.celType === 'bool')
    return (
      <ConditionEditor
        id={props.id}
        value={value}
        fields={ctx.ruleFields}
        onChange={(v) => props.onChange(v)}
      />
    );
  return (
    <Input.TextArea
      id={props.id}
      aria-label={props.label}
      className="wf-mono"
      autoSize={{ minRows: 1, maxRows: 6 }}
      value={value}
      status={props.rawErrors?.length ? 'error' : undefined}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

const jsonText = (v: unknown): string => (v === undefined ? '' : JSON.stringify(v, null, 2));

/** A value of free shape (a step's form schema, a request body) as JSON text; invalid JSON is named, not saved. */
function JsonField(props: FieldProps) {
  const { t } = useTranslation('workflows');
  const [draft, setDraft] = useState(() => jsonText(props.formData));
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    setDraft((d) => {
      try {
        if (d.trim() !== '' && JSON.stringify(JSON.parse(d)) === JSON.stringify(props.formData)) return d;
      } catch {
        // keep the text being typed
        return d;
      }
      return jsonText(props.formData);
    });
  }, [props.formData]);
  const title = props.uiSchema?.['ui:title'] ?? props.schema.title ?? props.name;
  return (
    <div className="wf-json-field">
      <Typography.Text strong>{String(title)}</Typography.Text>
      <Input.TextArea
        id={props.fieldPathId?.$id ?? props.name}
        aria-label={String(title)}
        className="wf-mono"
        autoSize={{ minRows: 2, maxRows: 14 }}
        value={draft}
        status={error || props.rawErrors?.length ? 'error' : undefined}
        onChange={(e) => {
          const next = e.target.value;
          setDraft(next);
          if (next.trim() === '') {
            setError(undefined);
            props.onChange(undefined, props.fieldPathId?.path ?? []);
            return;
          }
          try {
            const value = JSON.parse(next) as unknown;
            setError(undefined);
            props.onChange(value, props.fieldPathId?.path ?? []);
          } catch (err) {
            setError(t('inspector.invalidJson', { message: (err as Error).message }));
          }
        }}
      />
      {error ? (
        <Typography.Text type="danger" role="alert">
          {error}
        </Typography.Text>
      ) : null}
      {props.rawErrors?.map((m) => (
        <Typography.Text key={m} type="danger" style={{ display: 'block' }}>
          {m}
        </Typography.Text>
      ))}
    </div>
  );
}

export const inspectorWidgets: RegistryWidgetsType = {
  picker: PickerWidget,
  nodePicker: NodePickerWidget,
  cel: CelWidget,
};
export const inspectorFields: RegistryFieldsType = { json: JsonField };
