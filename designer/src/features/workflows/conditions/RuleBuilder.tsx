import { QueryBuilderAntD } from '@react-querybuilder/antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { type Field, QueryBuilder, type RuleGroupType } from 'react-querybuilder';
import { operatorsFor, type Rule, type RuleField, type RuleGroup } from './rule-cel.ts';

/**
 * The visual rule builder (react-querybuilder, antd controls) over a set of typed fields: the
 * operators each field's type allows, its values as a list when it has them. Used for workflow
 * conditions (beside their CEL text) and for the form builder's conditional fields.
 */
export function RuleBuilder({
  fields,
  group,
  onChange,
}: {
  fields: readonly RuleField[];
  group: RuleGroup;
  onChange: (group: RuleGroup) => void;
}) {
  const { t } = useTranslation('workflows');
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

  return (
    <QueryBuilderAntD>
      <QueryBuilder
        fields={rqbFields}
        query={group as RuleGroupType}
        onQueryChange={(q: RuleGroupType) => onChange(normalise(q))}
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
  );
}

/** Keeps what matters of react-querybuilder's query (it adds ids and paths) as a plain group. */
export function normalise(q: RuleGroupType): RuleGroup {
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
