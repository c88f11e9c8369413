import type { AnyNodeTypeDefinition, WorkflowNode } from '@docket/core';
import Form from '@rjsf/antd';
import type { RJSFSchema, ErrorSchema as RjsfErrorSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { Alert, Descriptions, Input, Space, Typography } from 'antd';
import { useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../../i18n/i18n.ts';
import { rjsfTranslator } from '../../../ui/SchemaForm/rjsf-strings.ts';
import { workflowsMessages } from '../messages.ts';
import {
  errorSchemaFor,
  localizedUiSchema,
  nodeLevelProblems,
  pruneEmptyObjects,
  uiSchemaFor,
} from './inspector-ui.ts';
import type { PlacedProblem } from './model.ts';
import {
  type InspectorContext,
  InspectorContextValue,
  inspectorFields,
  inspectorWidgets,
} from './widgets.tsx';

/**
 * The selected node's settings: its name on the canvas, and a form generated from its type's
 * config schema (rjsf with the antd theme), with pickers that read the API and the server's
 * problems on the fields they name. Edits go to the editor as commands.
 */
export function Inspector({
  node,
  def,
  problems,
  context,
  isReadOnly,
  onConfig,
  onLabel,
}: {
  node: WorkflowNode;
  def: AnyNodeTypeDefinition | undefined;
  problems: readonly PlacedProblem[];
  context: Omit<InspectorContext, 'nodeId'>;
  isReadOnly: boolean;
  onConfig: (config: unknown) => void;
  onLabel: (label: string) => void;
}) {
  const { t } = useTranslation('workflows');
  const language = currentLanguage();
  const isTouched = useRef(false);
  const isCore =
    (def as { source?: string } | undefined)?.source !== undefined
      ? (def as { source?: string }).source === 'core'
      : true;
  const schema = def?.configSchema as RJSFSchema | undefined;
  const uiSchema = useMemo(() => {
    if (!schema) return {};
    const base = uiSchemaFor(schema);
    const words = workflowsMessages[language].fields;
    return {
      ...(isCore ? localizedUiSchema(schema, base, words) : base),
      'ui:submitButtonOptions': { norender: true },
    };
  }, [schema, language, isCore]);
  const extraErrors = useMemo(() => errorSchemaFor(problems), [problems]);
  const translateString = useMemo(() => rjsfTranslator(language), [language]);
  const ctx = useMemo(() => ({ ...context, nodeId: node.id }), [context, node.id]);
  const general = nodeLevelProblems(problems);
  const title =
    isCore && def
      ? t(`nodeTypes.${def.type}.title` as 'nodeTypes.start.title', { defaultValue: def.title })
      : (def?.title ?? node.type);

  return (
    <div
      className="wf-inspector"
      data-testid="inspector"
      onPointerDownCapture={() => {
        isTouched.current = true;
      }}
      onKeyDownCapture={() => {
        isTouched.current = true;
      }}
    >
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {title}
      </Typography.Title>
      <Descriptions
        size="small"
        column={1}
        items={[
          {
            key: 'id',
            label: t('inspector.id'),
            children: (
              <Typography.Text code copyable title={t('inspector.idHint', { id: node.id })}>
                {node.id}
              </Typography.Text>
            ),
          },
        ]}
      />
      <Space orientation="vertical" style={{ width: '100%', marginBottom: 12 }}>
        <label htmlFor="wf-node-label">{t('inspector.label')}</label>
        <Input
          id="wf-node-label"
          value={node.label ?? ''}
          placeholder={title}
          disabled={isReadOnly}
          onChange={(e) => onLabel(e.target.value)}
        />
      </Space>
      {general.length > 0 ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          title={t('inspector.problems', { count: general.length })}
          description={
            <ul className="wf-problem-list" data-testid="inspector-problems">
              {general.map((p) => (
                <li key={`${p.code}-${p.message}`}>{p.message}</li>
              ))}
            </ul>
          }
        />
      ) : null}
      {!def ? (
        <Alert
          type="warning"
          showIcon
          title={t('inspector.unknownType', { type: node.type })}
          description={
            <>
              <p>{t('inspector.unknownTypeWhy')}</p>
              <pre className="wf-mono wf-pre">{JSON.stringify(node.config, null, 2)}</pre>
            </>
          }
        />
      ) : (
        <InspectorContextValue.Provider value={ctx}>
          <Form
            key={node.id}
            schema={schema ?? {}}
            uiSchema={uiSchema}
            formData={node.config}
            validator={validator}
            widgets={inspectorWidgets}
            fields={inspectorFields}
            extraErrors={extraErrors as RjsfErrorSchema}
            showErrorList={false}
            noHtml5Validate
            disabled={isReadOnly}
            translateString={translateString}
            experimental_defaultFormStateBehavior={{
              emptyObjectFields: 'skipDefaults',
              arrayMinItems: { populate: 'never' },
            }}
            onChange={(e) => {
              if (!isTouched.current || isReadOnly) return;
              const config = pruneEmptyObjects(e.formData, schema);
              if (JSON.stringify(config) === JSON.stringify(node.config)) return;
              onConfig(config);
            }}
          />
        </InspectorContextValue.Provider>
      )}
    </div>
  );
}
