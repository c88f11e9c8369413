import { Alert, Col, Input, Row, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FormModel, fromSchemas, toSchemas } from '../builder/form-model.ts';

const text = (v: unknown) => JSON.stringify(v, null, 2);

/**
 * The form's JSON Schema and uiSchema as text, both ways: the builder's edits show here, and
 * valid JSON typed here becomes the fields; invalid JSON is named (which side, and why) and
 * changes nothing until it parses.
 */
export function JsonPanel({ model, onChange }: { model: FormModel; onChange: (next: FormModel) => void }) {
  const { t } = useTranslation('forms');
  const { schema, uiSchema } = toSchemas(model);
  const [schemaText, setSchemaText] = useState(text(schema));
  const [uiText, setUiText] = useState(text(uiSchema));
  const [error, setError] = useState<string | undefined>();
  const modelJson = JSON.stringify([schema, uiSchema]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: rewritten when the model changes elsewhere (compared by its JSON)
  useEffect(() => {
    try {
      if (JSON.stringify([JSON.parse(schemaText), JSON.parse(uiText)]) === modelJson) return;
    } catch {
      return; // keep the text being typed
    }
    setSchemaText(text(schema));
    setUiText(text(uiSchema));
  }, [modelJson]);

  const apply = (nextSchema: string, nextUi: string) => {
    let s: unknown;
    let u: unknown;
    try {
      s = JSON.parse(nextSchema);
    } catch (e) {
      return setError(
        t('builder.json.invalid', { which: t('builder.json.schema'), message: (e as Error).message }),
      );
    }
    try {
      u = JSON.parse(nextUi);
    } catch (e) {
      return setError(
        t('builder.json.invalid', { which: t('builder.json.uiSchema'), message: (e as Error).message }),
      );
    }
    setError(undefined);
    onChange(fromSchemas(s, u));
  };

  return (
    <div data-testid="json-panel">
      <Typography.Paragraph type="secondary">{t('builder.json.hint')}</Typography.Paragraph>
      {error ? <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 12 }} /> : null}
      <Row gutter={16}>
        <Col xs={24} lg={14}>
          <Typography.Title level={5}>{t('builder.json.schema')}</Typography.Title>
          <Input.TextArea
            aria-label={t('builder.json.schema')}
            className="wf-mono"
            autoSize={{ minRows: 12, maxRows: 40 }}
            value={schemaText}
            onChange={(e) => {
              setSchemaText(e.target.value);
              apply(e.target.value, uiText);
            }}
          />
        </Col>
        <Col xs={24} lg={10}>
          <Typography.Title level={5}>{t('builder.json.uiSchema')}</Typography.Title>
          <Input.TextArea
            aria-label={t('builder.json.uiSchema')}
            className="wf-mono"
            autoSize={{ minRows: 12, maxRows: 40 }}
            value={uiText}
            onChange={(e) => {
              setUiText(e.target.value);
              apply(schemaText, e.target.value);
            }}
          />
        </Col>
      </Row>
    </div>
  );
}
