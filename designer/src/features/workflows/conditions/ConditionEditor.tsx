import { Alert, Input, Segmented } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RuleBuilder } from './RuleBuilder.tsx';
import { celToRuleGroup, type RuleField, type RuleGroup, ruleGroupToCel } from './rule-cel.ts';

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

  const group = reading.isReadable ? reading.group : undefined;
  const onGroupChange = (g: RuleGroup) => {
    const next = ruleGroupToCel(g, fields);
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
              <RuleBuilder fields={fields} group={group} onChange={onGroupChange} />
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
