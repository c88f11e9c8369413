import { Alert, Button, Card, Form, Input, InputNumber, Select, Switch, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RuleBuilder } from '../../workflows/conditions/RuleBuilder.tsx';
import { choicesFromText, choicesToText } from '../builder/choices-text.ts';
import { ruleFieldsFor } from '../builder/conditions.ts';
import {
  type BuilderField,
  CHOICE_KINDS,
  FIELD_KINDS,
  type FormModel,
  NUMBER_KINDS,
  renameField,
  TEXT_KINDS,
  TREE_KINDS,
  updateField,
} from '../builder/form-model.ts';

const optionalNumber = (v: number | null) => (v === null ? undefined : v);
const optionalText = (v: string) => (v === '' ? undefined : v);

/** The selected field's settings: label, key, type, rules, choices, section and condition. */
export function FieldInspector({
  model,
  field,
  onChange,
  onRenamed,
  problems,
}: {
  model: FormModel;
  field: BuilderField | undefined;
  onChange: (next: FormModel) => void;
  onRenamed: (key: string) => void;
  problems: readonly string[];
}) {
  const { t } = useTranslation('forms');
  const [key, setKey] = useState(field?.key ?? '');
  const [choicesText, setChoicesText] = useState(choicesToText(field?.choices));
  useEffect(() => setKey(field?.key ?? ''), [field?.key]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the text is rewritten only when another field is picked
  useEffect(() => setChoicesText(choicesToText(field?.choices)), [field?.key]);

  if (!field)
    return (
      <Card size="small" title={t('builder.field.title')}>
        <Typography.Text type="secondary">{t('builder.field.none')}</Typography.Text>
      </Card>
    );
  const patch = (p: Partial<BuilderField>) => onChange(updateField(model, field.key, p));
  const commitKey = () => {
    const next = key.trim();
    if (!next || next === field.key) return setKey(field.key);
    const renamed = renameField(model, field.key, next);
    if (renamed === model) return setKey(field.key);
    onChange(renamed);
    onRenamed(next);
  };
  const ruleFields = ruleFieldsFor(model.fields, field.key);
  const isText = TEXT_KINDS.includes(field.kind);
  const isNumber = NUMBER_KINDS.includes(field.kind);
  const hasChoices = CHOICE_KINDS.includes(field.kind) || TREE_KINDS.includes(field.kind);
  const id = (name: string) => `fb-field-${name}`;

  return (
    <Card size="small" title={t('builder.field.title')} data-testid="field-inspector">
      {problems.length > 0 ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={
            <ul className="fb-problems">
              {problems.map((p) => (
                <li key={p}>{t(`builder.problems.${p}` as 'builder.problems.badKey')}</li>
              ))}
            </ul>
          }
        />
      ) : null}
      <Form layout="vertical" size="small" component="div">
        <Form.Item label={t('builder.field.label')} htmlFor={id('label')}>
          <Input id={id('label')} value={field.title} onChange={(e) => patch({ title: e.target.value })} />
        </Form.Item>
        <Form.Item
          label={t('builder.field.key')}
          htmlFor={id('key')}
          extra={t('builder.field.keyHelp', { key: field.key })}
        >
          <Input
            id={id('key')}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            onBlur={commitKey}
            onPressEnter={commitKey}
            className="wf-mono"
          />
        </Form.Item>
        <Form.Item label={t('builder.field.kind')} htmlFor={id('kind')}>
          <Select
            id={id('kind')}
            value={field.kind}
            options={FIELD_KINDS.map((k) => ({ value: k, label: t(`builder.kinds.${k}`) }))}
            onChange={(kind) => patch({ kind })}
          />
        </Form.Item>
        <Form.Item label={t('builder.field.required')} htmlFor={id('required')}>
          <Switch
            id={id('required')}
            checked={field.isRequired}
            onChange={(isRequired) => patch({ isRequired })}
          />
        </Form.Item>
        <Form.Item label={t('builder.field.help')} htmlFor={id('help')}>
          <Input
            id={id('help')}
            value={field.help ?? ''}
            onChange={(e) => patch({ help: optionalText(e.target.value) })}
          />
        </Form.Item>
        <Form.Item label={t('builder.field.placeholder')} htmlFor={id('placeholder')}>
          <Input
            id={id('placeholder')}
            value={field.placeholder ?? ''}
            onChange={(e) => patch({ placeholder: optionalText(e.target.value) })}
          />
        </Form.Item>
        {isText || isNumber || CHOICE_KINDS.includes(field.kind) ? (
          <Form.Item label={t('builder.field.default')} htmlFor={id('default')}>
            {isNumber ? (
              <InputNumber
                id={id('default')}
                style={{ width: '100%' }}
                value={typeof field.default === 'number' ? field.default : null}
                onChange={(v) => patch({ default: optionalNumber(v) })}
              />
            ) : (
              <Input
                id={id('default')}
                value={typeof field.default === 'string' ? field.default : ''}
                onChange={(e) => patch({ default: optionalText(e.target.value) })}
              />
            )}
          </Form.Item>
        ) : null}
        {isText ? (
          <>
            <Form.Item label={t('builder.field.minLength')} htmlFor={id('minLength')}>
              <InputNumber
                id={id('minLength')}
                min={0}
                style={{ width: '100%' }}
                value={field.minLength ?? null}
                onChange={(v) => patch({ minLength: optionalNumber(v) })}
              />
            </Form.Item>
            <Form.Item label={t('builder.field.maxLength')} htmlFor={id('maxLength')}>
              <InputNumber
                id={id('maxLength')}
                min={1}
                style={{ width: '100%' }}
                value={field.maxLength ?? null}
                onChange={(v) => patch({ maxLength: optionalNumber(v) })}
              />
            </Form.Item>
            <Form.Item label={t('builder.field.pattern')} htmlFor={id('pattern')}>
              <Input
                id={id('pattern')}
                className="wf-mono"
                value={field.pattern ?? ''}
                onChange={(e) => patch({ pattern: optionalText(e.target.value) })}
              />
            </Form.Item>
            <Form.Item label={t('builder.field.patternMessage')} htmlFor={id('patternMessage')}>
              <Input
                id={id('patternMessage')}
                value={field.patternMessage ?? ''}
                onChange={(e) => patch({ patternMessage: optionalText(e.target.value) })}
              />
            </Form.Item>
          </>
        ) : null}
        {isNumber ? (
          <>
            <Form.Item label={t('builder.field.minimum')} htmlFor={id('minimum')}>
              <InputNumber
                id={id('minimum')}
                style={{ width: '100%' }}
                value={field.minimum ?? null}
                onChange={(v) => patch({ minimum: optionalNumber(v) })}
              />
            </Form.Item>
            <Form.Item label={t('builder.field.maximum')} htmlFor={id('maximum')}>
              <InputNumber
                id={id('maximum')}
                style={{ width: '100%' }}
                value={field.maximum ?? null}
                onChange={(v) => patch({ maximum: optionalNumber(v) })}
              />
            </Form.Item>
          </>
        ) : null}
        {hasChoices ? (
          <Form.Item
            label={t('builder.field.choices')}
            htmlFor={id('choices')}
            extra={t('builder.field.choicesHelp')}
          >
            <Input.TextArea
              id={id('choices')}
              className="wf-mono"
              autoSize={{ minRows: 3, maxRows: 12 }}
              value={choicesText}
              onChange={(e) => {
                setChoicesText(e.target.value);
                patch({ choices: choicesFromText(e.target.value, TREE_KINDS.includes(field.kind)) });
              }}
            />
          </Form.Item>
        ) : null}
        {model.sections.length > 0 ? (
          <Form.Item label={t('builder.field.section')} htmlFor={id('section')}>
            <Select
              id={id('section')}
              allowClear
              placeholder={t('builder.list.noSection')}
              value={field.section}
              options={model.sections.map((s) => ({ value: s.key, label: s.title }))}
              onChange={(section) => patch({ section: section ?? undefined })}
            />
          </Form.Item>
        ) : null}
        <Form.Item
          label={t('builder.field.condition')}
          extra={field.condition ? t('builder.field.conditionHelp') : null}
        >
          {field.condition ? (
            <div data-testid="field-condition">
              <RuleBuilder
                fields={ruleFields}
                group={field.condition}
                onChange={(condition) => patch({ condition })}
              />
              <Button size="small" style={{ marginTop: 8 }} onClick={() => patch({ condition: undefined })}>
                {t('builder.field.removeCondition')}
              </Button>
            </div>
          ) : ruleFields.length === 0 ? (
            <Typography.Text type="secondary">{t('builder.field.noEarlierFields')}</Typography.Text>
          ) : (
            <Button
              size="small"
              onClick={() => {
                const first = ruleFields[0]!;
                patch({
                  condition: {
                    combinator: 'and',
                    rules: [{ field: first.name, operator: '=', value: first.values?.[0] ?? '' }],
                  },
                });
              }}
            >
              {t('builder.field.addCondition')}
            </Button>
          )}
        </Form.Item>
      </Form>
    </Card>
  );
}
