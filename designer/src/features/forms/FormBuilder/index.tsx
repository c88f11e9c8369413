import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { Alert, App as AntApp, Button, Card, Col, Result, Row, Space, Tabs, Tag, Typography } from 'antd';
import { memo, useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { useQuery } from '../../../graphql/use-query.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { PageLoading } from '../../../ui/PageLoading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { SchemaForm } from '../../../ui/SchemaForm/index.tsx';
import { Code } from '../../../ui/Text/index.tsx';
import { type FormModel, fieldProblems, toSchemas } from '../builder/form-model.ts';
import { BuilderQuery, PublishMutation, RevertMutation } from '../builder/operations.ts';
import {
  contentOf,
  type DraftContent,
  type SaveState,
  useTemplateDraft,
} from '../builder/use-template-draft.ts';
import { FieldInspector as FieldInspectorPanel } from './FieldInspector.tsx';
import { FieldList as FieldListPanel } from './FieldList.tsx';
import { JsonPanel } from './JsonPanel.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { VersionsPanel } from './VersionsPanel.tsx';
import './form-builder.css';

const NO_PROBLEMS: string[] = [];
// Memoised: what is typed into the preview renders the builder, not its list of fields and inspector.
const FieldList = memo(FieldListPanel);
const FieldInspector = memo(FieldInspectorPanel);

/**
 * The live preview: the form as agents and customers get it, filled in here without saving.
 * It keeps what is typed into it in its own state, so the form's update once typing pauses
 * renders the preview alone, not the builder around it (its tabs, heading, rows and columns,
 * whose new context values had React walk every field of the form again). "Valid" holds for the
 * form it was checked against: any change to the fields, or to what is typed, takes it back.
 */
const Preview = memo(function Preview({ schema, uiSchema }: { schema: RJSFSchema; uiSchema: UiSchema }) {
  const { t } = useTranslation('forms');
  const [formData, setFormData] = useState<Record<string, unknown>>({});
  const [validFor, setValidFor] = useState<RJSFSchema | undefined>();
  const onChange = useCallback((d: Record<string, unknown>) => {
    setFormData(d);
    setValidFor(undefined);
  }, []);
  const onSubmit = useCallback(() => setValidFor(schema), [schema]);
  return (
    <Card size="small" title={t('builder.preview.title')} data-testid="form-preview">
      <Typography.Paragraph type="secondary">{t('builder.preview.hint')}</Typography.Paragraph>
      {validFor === schema ? (
        <Alert type="success" showIcon title={t('builder.preview.valid')} style={{ marginBottom: 12 }} />
      ) : null}
      <SchemaForm
        schema={schema}
        uiSchema={uiSchema}
        formData={formData}
        onChange={onChange}
        onSubmit={onSubmit}
      />
    </Card>
  );
});

/** /admin/templates/<key>: the form builder on the template's draft. */
export default function FormBuilderPage() {
  const { t } = useTranslation('forms');
  const navigate = useNavigate();
  const key = useParams().key ?? '';
  const { data, error, isLoading, refetch } = useQuery(BuilderQuery, { key });
  if (error) return <QueryError error={error} onRetry={refetch} />;
  if (isLoading && !data) return <PageLoading />;
  const template = data?.template;
  if (!template?.id)
    return (
      <Result
        status="404"
        title={<h1 style={{ fontSize: 24, margin: 0 }}>{t('detail.notFound.title', { key })}</h1>}
        subTitle={t('detail.notFound.subtitle')}
        extra={
          <Button type="primary" onClick={() => navigate('/admin/templates')}>
            {t('detail.back')}
          </Button>
        }
      />
    );
  return (
    <AntApp>
      <Builder
        key={`${template.id}-${template.latestVersion}`}
        id={template.id}
        templateKey={template.key ?? key}
        latestVersion={template.latestVersion ?? 0}
        isArchived={template.isArchived ?? false}
        draft={template.draft as DraftContent | null}
        updatedAt={template.updatedAt as string | null}
        nextSequence={template.nextSequence ?? 1}
        versions={(template.versions ?? []).map((v) => ({
          version: v.version ?? 0,
          publishedAt: (v.publishedAt as string | null) ?? null,
          publishedBy: v.publishedBy?.name ?? null,
          content: (v.content ?? {}) as DraftContent,
        }))}
        workflows={(data?.workflows ?? []).map((w) => ({
          key: w.key ?? '',
          name: w.name ?? '',
          latestVersion: w.latestVersion ?? 0,
        }))}
        categories={(data?.templates ?? []).map((x) => [...(x.draft?.categoryPath ?? [])])}
        reload={refetch}
      />
    </AntApp>
  );
}

function SaveStatus({
  state,
  onLoadTheirs,
  onKeepMine,
}: {
  state: SaveState;
  onLoadTheirs: () => void;
  onKeepMine: () => void;
}) {
  const { t } = useTranslation('forms');
  switch (state.kind) {
    case 'saved':
      return <Tag color="green">{t('builder.save.saved')}</Tag>;
    case 'dirty':
      return <Tag>{t('builder.save.unsaved')}</Tag>;
    case 'saving':
      return <Tag color="blue">{t('builder.save.saving')}</Tag>;
    case 'offline':
      return <Alert type="warning" showIcon title={t('builder.save.offline')} />;
    case 'invalid':
      return <Alert type="error" showIcon title={t('builder.save.invalid', { message: state.message })} />;
    case 'conflict':
      return (
        <Alert
          type="warning"
          showIcon
          title={t('builder.save.conflict')}
          action={
            <Space>
              <Button size="small" onClick={onLoadTheirs}>
                {t('builder.save.loadTheirs')}
              </Button>
              <Button size="small" danger onClick={onKeepMine}>
                {t('builder.save.keepMine')}
              </Button>
            </Space>
          }
        />
      );
  }
}

function Builder(props: {
  id: string;
  templateKey: string;
  latestVersion: number;
  isArchived: boolean;
  draft: DraftContent | null;
  updatedAt: string | null;
  nextSequence: number;
  versions: Parameters<typeof VersionsPanel>[0]['versions'];
  workflows: Parameters<typeof SettingsPanel>[0]['workflows'];
  categories: string[][];
  reload: () => void;
}) {
  const { t } = useTranslation('forms');
  const { message } = AntApp.useApp();
  const draft = useTemplateDraft({ id: props.id, draft: props.draft, updatedAt: props.updatedAt });
  const { model, setModel, settings } = draft;
  const [selected, setSelected] = useState<string | undefined>(model.fields[0]?.key);
  const [isPublishing, setPublishing] = useState(false);
  const [publishError, setPublishError] = useState<string | undefined>();
  const problems = useMemo(() => fieldProblems(model), [model]);
  const { schema, uiSchema } = useMemo(() => toSchemas(model), [model]);
  const serverFieldErrors = useMemo(() => {
    const out: Record<string, string> = {};
    if (draft.state.kind === 'invalid') for (const f of draft.state.fields) out[f.path] = f.message;
    return out;
  }, [draft.state]);
  const field = model.fields.find((f) => f.key === selected);
  const onModel = useCallback((next: FormModel) => setModel(next), [setModel]);

  const publish = async () => {
    setPublishError(undefined);
    if (Object.keys(problems).length > 0) return setPublishError(t('builder.publish.problems'));
    setPublishing(true);
    try {
      if (!(await draft.flush())) return;
      const r = (await request(PublishMutation, { id: props.id })).publishTemplate;
      if (r?.__typename === 'TemplateVersion') {
        void message.success(t('builder.publish.done', { version: r.version ?? 0 }));
        props.reload();
      } else
        setPublishError(
          t('builder.publish.failed', {
            message:
              r?.__typename === 'ValidationError'
                ? [r.message, ...(r.fields ?? []).map((f) => `${f.path}: ${f.message}`)].join(' ')
                : r && 'message' in r
                  ? String(r.message)
                  : '',
          }),
        );
    } catch (e) {
      setPublishError(t('builder.publish.failed', { message: (e as Error).message }));
    } finally {
      setPublishing(false);
    }
  };

  const revert = async (version: number) => {
    if (!(await draft.flush())) return;
    const r = (await request(RevertMutation, { id: props.id, version })).revertTemplate;
    if (r?.__typename === 'TemplateVersion') {
      void message.success(t('builder.versions.reverted', { version, newVersion: r.version ?? 0 }));
      props.reload();
    } else if (r && 'message' in r) void message.error(String(r.message));
  };

  return (
    <div className="fb-builder" data-testid="form-builder">
      <Link to="/admin/templates">← {t('detail.back')}</Link>
      <PageHeading
        title={settings.name || props.templateKey}
        extra={
          <Space wrap>
            <Code>{props.templateKey}</Code>
            {props.isArchived ? <Tag>{t('list.archived')}</Tag> : null}
            {props.latestVersion ? (
              <Tag color="blue">{t('list.version', { version: props.latestVersion })}</Tag>
            ) : (
              <Tag>{t('list.notPublished')}</Tag>
            )}
            <SaveStatus
              state={draft.state}
              onLoadTheirs={props.reload}
              onKeepMine={() => void draft.save({ force: true })}
            />
            <Button type="primary" loading={isPublishing} onClick={() => void publish()}>
              {t('builder.publish.button')}
            </Button>
          </Space>
        }
      />
      {publishError ? (
        <Alert
          type="error"
          showIcon
          closable
          title={publishError}
          style={{ marginBottom: 12 }}
          role="alert"
        />
      ) : null}
      <Tabs
        defaultActiveKey="form"
        items={[
          {
            key: 'form',
            label: t('builder.tabs.form'),
            children: (
              <Row gutter={16}>
                <Col xs={24} xl={7}>
                  <FieldList
                    model={model}
                    onChange={onModel}
                    selected={selected}
                    onSelect={setSelected}
                    problems={problems}
                  />
                </Col>
                <Col xs={24} xl={8}>
                  <FieldInspector
                    model={model}
                    field={field}
                    onChange={onModel}
                    onRenamed={setSelected}
                    problems={(field && problems[field.key]) || NO_PROBLEMS}
                  />
                </Col>
                <Col xs={24} xl={9}>
                  <Preview schema={schema} uiSchema={uiSchema} />
                </Col>
              </Row>
            ),
          },
          {
            key: 'settings',
            label: t('builder.tabs.settings'),
            children: (
              <SettingsPanel
                templateKey={props.templateKey}
                settings={settings}
                onChange={draft.setSettings}
                categories={props.categories}
                workflows={props.workflows}
                nextSequence={props.nextSequence}
                fieldErrors={serverFieldErrors}
              />
            ),
          },
          {
            key: 'json',
            label: t('builder.tabs.json'),
            children: <JsonPanel model={model} onChange={onModel} />,
          },
          {
            key: 'versions',
            label: t('builder.tabs.versions'),
            children: (
              <VersionsPanel
                versions={props.versions}
                draft={contentOf(settings, model)}
                onRevert={(v) => void revert(v)}
              />
            ),
          },
        ]}
      />
    </div>
  );
}
