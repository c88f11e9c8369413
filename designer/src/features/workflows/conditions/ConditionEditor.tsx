import { QueryBuilderAntD } from '@react-querybuilder/antd';
import { Alert, Input, Segmented } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Field, QueryBuilder, type RuleGroupType } from 'react-querybuilder';
import {
  celToRuleGroup,
  operatorsFor,
  type Rule,
  type RuleField,
  type RuleGroup,
  ruleGroupToCel,
} from './rule-cel.ts';

/**
 * A condition edited both ways: the rule builder and the CEL text side by side. A change in the
 * builder rewrites the text; text the builder can show updates the builder, and text beyond it
 * keeps the builder read-only with the reason. Type errors come from the server (its draft
 * problems), shown under the field by the inspector.
 */
export function ConditionEditor({
  value,
  onChange,
  fields,
  id,
}: {
  value: string;
  onChange: (text: string) => void;
  fields: readonly RuleField[];
  id: string;
}) {
  const { t } = useTranslation('workflows');
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const reading = useMemo(() => celToRuleGroup(text), [text]);
  const [view, setView] = useState<'both' | 'text'>('both');

  const rqbFields: Field[] = useMemo(() => {
    const operatorLabel = (op: string) => t(`condition.operators.${op}` as 'condition.operators.=');
    return fields.map((f) => ({
      name: f.name,
      label: f.label,
      operators: operatorsFor(f.type).map((op) => ({ name: op, value: op, label: operatorLabel(op) })),
      ...(f.type === 'bool'
        ? {
            valueEditorType: 'select' as const,
            values: [
              { name: 'true', value: 'true', label: t('condition.true') },
              { name: 'false', value: 'false', label: t('condition.false') },
            ],
          }
        : f.values
          ? {
              valueEditorType: 'select' as const,
              values: f.values.map((v) => ({ name: v, value: v, label: v })),
            }
          : {}),
      ...(f.type === 'int' || f.type === 'double' ? { inputType: 'number' } : {}),
      ...(f.type === 'timestamp' ? { inputType: 'datetime-local' } : {}),
    }));
  }, [fields, t]);

  const group = reading.isReadable ? (reading.group as RuleGroupType) : undefined;
  const onQueryChange = (q: RuleGroupType) => {
    const next = ruleGroupToCel(normalise(q), fields);
    if (next === text) return;
    setText(next);
    onChange(next);
  };

  return (
    <div className="wf-condition" data-testid={`condition-${id}`}>
      <Segmented
        size="small"
        value={view}
        onChange={(v) => setView(v as 'both' | 'text')}
        options={[
          { value: 'both', label: t('condition.both') },
          { value: 'text', label: t('condition.textOnly') },
        ]}
      />
      <div className={view === 'both' ? 'wf-condition-sides' : ''}>
        {view === 'both' ? (
          <fieldset className="wf-condition-builder" aria-label={t('condition.builder')}>
            {group ? (
              <QueryBuilderAntD>
                <QueryBuilder
                  fields={rqbFields}
                  query={group}
                  onQueryChange={onQueryChange}
                  translations={{
                    addRule: { label: t('condition.addRule'), title: t('condition.addRule') },
                    addGroup: { label: t('condition.addGroup'), title: t('condition.addGroup') },
                    removeRule: { label: '⨯', title: t('condition.remove') },
                    removeGroup: { label: '⨯', title: t('condition.remove') },
                    combinators: { title: t('condition.combinator') },
                    fields: { title: t('condition.field'), placeholderLabel: t('condition.pickField') },
                    operators: { title: t('condition.operator') },
                    value: { title: t('condition.value') },
                    notToggle: { label: t('condition.not'), title: t('condition.not') },
                  }}
                  combinators={[
                    { name: 'and', value: 'and', label: t('condition.and') },
                    { name: 'or', value: 'or', label: t('condition.or') },
                  ]}
                  showNotToggle
                  enableMountQueryChange={false}
                  parseNumbers="strict-limited"
                />
              </QueryBuilderAntD>
            ) : (
              <Alert
                type="info"
                showIcon
                title={t('condition.textBeyond')}
                description={t('condition.textBeyondWhy', {
                  reason: reading.isReadable ? '' : reading.reason,
                })}
              />
            )}
          </fieldset>
        ) : null}
        <div className="wf-condition-text">
          <Input.TextArea
            aria-label={t('condition.celText')}
            className="wf-mono"
            autoSize={{ minRows: 2, maxRows: 8 }}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              onChange(e.target.value);
            }}
          />
        </div>
      </div>
    </div>
  );
}

/** Keeps what matters of react-querybuilder's query (it adds ids and paths) as a plain group. */
function normalise(q: RuleGroupType): RuleGroup {
  return {
    combinator: q.combinator,
    ...(q.not ? { not: true } : {}),
    rules: q.rules.flatMap((r): (Rule | RuleGroup)[] => {
      if (typeof r === 'string') return [];
      if ('rules' in r) return [normalise(r as RuleGroupType)];
      const value = r.value === 'true' ? true : r.value === 'false' ? false : r.value;
      return [{ field: r.field, operator: r.operator, value }];
    }),
  };
}
