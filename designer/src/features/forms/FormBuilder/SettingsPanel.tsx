import { formatTicketNumber, parseNumberPattern } from '@docket/core';
import { Button, Cascader, Form, Input, Select, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Priority, TemplateSettings } from '../builder/use-template-draft.ts';

type TreeOption = { value: string; label: string; children?: TreeOption[] };

/** The category paths in use as a tree (each level a choice under its parent). */
export function categoryTree(paths: readonly (readonly string[])[]): TreeOption[] {
  const root: TreeOption[] = [];
  for (const path of paths) {
    let level = root;
    for (const name of path.slice(0, 4)) {
      let node = level.find((n) => n.value === name);
      if (!node) {
        node = { value: name, label: name };
        level.push(node);
      }
      node.children ??= [];
      level = node.children;
    }
  }
  const prune = (list: TreeOption[]): TreeOption[] =>
    list.map((n) =>
      n.children?.length ? { ...n, children: prune(n.children) } : { value: n.value, label: n.label },
    );
  return prune(root);
}

/** The next ticket number the pattern gives (or why the pattern is wrong). */
export function numberPreview(
  pattern: string,
  sequence: number,
  at = new Date(),
): { number?: string; error?: string } {
  const parts = parseNumberPattern(pattern);
  if (!Array.isArray(parts)) return { error: parts.message };
  const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return { number: formatTicketNumber(parts, sequence, at, timeZone) };
}

const PRIORITIES: Priority[] = ['urgent', 'high', 'normal', 'low'];

/** Key, name, category path, default priority, number pattern (with the next number) and workflow. */
export function SettingsPanel({
  templateKey,
  settings,
  onChange,
  categories,
  workflows,
  nextSequence,
  fieldErrors,
}: {
  templateKey: string;
  settings: TemplateSettings;
  onChange: (patch: Partial<TemplateSettings>) => void;
  categories: readonly (readonly string[])[];
  workflows: readonly { key: string; name: string; latestVersion: number }[];
  nextSequence: number;
  fieldErrors: Record<string, string>;
}) {
  const { t } = useTranslation(['forms', 'shell']);
  const [newLevel, setNewLevel] = useState('');
  const tree = useMemo(
    () => categoryTree([...categories, settings.categoryPath]),
    [categories, settings.categoryPath],
  );
  const preview = numberPreview(settings.numberPattern, nextSequence);
  const status = (path: string) => (fieldErrors[path] ? ('error' as const) : undefined);

  return (
    <Form layout="vertical" component="div" style={{ maxWidth: 640 }} data-testid="template-settings">
      <Form.Item label={t('builder.settings.key')}>
        <Typography.Text code>{templateKey}</Typography.Text>
      </Form.Item>
      <Form.Item
        label={t('builder.settings.name')}
        htmlFor="fb-name"
        validateStatus={status('/name')}
        help={fieldErrors['/name']}
      >
        <Input id="fb-name" value={settings.name} onChange={(e) => onChange({ name: e.target.value })} />
      </Form.Item>
      <Form.Item label={t('builder.settings.description')} htmlFor="fb-description">
        <Input.TextArea
          id="fb-description"
          autoSize={{ minRows: 2, maxRows: 6 }}
          value={settings.description}
          onChange={(e) => onChange({ description: e.target.value })}
        />
      </Form.Item>
      <Form.Item
        label={t('builder.settings.category')}
        htmlFor="fb-category"
        extra={t('builder.settings.categoryHelp')}
        validateStatus={status('/categoryPath')}
        help={fieldErrors['/categoryPath']}
      >
        <Space.Compact style={{ width: '100%' }}>
          <Cascader
            id="fb-category"
            style={{ width: '60%' }}
            options={tree}
            changeOnSelect
            value={settings.categoryPath}
            onChange={(v) => onChange({ categoryPath: (v ?? []).map(String).slice(0, 4) })}
          />
          <Input
            aria-label={t('builder.settings.addLevel')}
            placeholder={t('builder.settings.addLevel')}
            value={newLevel}
            disabled={settings.categoryPath.length >= 4}
            onChange={(e) => setNewLevel(e.target.value)}
            onPressEnter={() => {
              if (!newLevel.trim()) return;
              onChange({ categoryPath: [...settings.categoryPath, newLevel.trim()].slice(0, 4) });
              setNewLevel('');
            }}
          />
          <Button
            disabled={!newLevel.trim() || settings.categoryPath.length >= 4}
            onClick={() => {
              onChange({ categoryPath: [...settings.categoryPath, newLevel.trim()].slice(0, 4) });
              setNewLevel('');
            }}
          >
            {t('builder.settings.addLevelButton')}
          </Button>
        </Space.Compact>
      </Form.Item>
      <Form.Item label={t('builder.settings.priority')} htmlFor="fb-priority">
        <Select
          id="fb-priority"
          value={settings.defaultPriority}
          options={PRIORITIES.map((p) => ({ value: p, label: t(`shell:priority.${p}`) }))}
          onChange={(defaultPriority) => onChange({ defaultPriority })}
        />
      </Form.Item>
      <Form.Item
        label={t('builder.settings.numberPattern')}
        htmlFor="fb-number"
        validateStatus={preview.error || fieldErrors['/numberPattern'] ? 'error' : undefined}
        help={preview.error ?? fieldErrors['/numberPattern']}
        extra={t('builder.settings.numberHelp')}
      >
        <Input
          id="fb-number"
          className="wf-mono"
          value={settings.numberPattern}
          onChange={(e) => onChange({ numberPattern: e.target.value })}
        />
      </Form.Item>
      {preview.number ? (
        <Typography.Paragraph data-testid="next-number">
          {t('builder.settings.nextNumber', { number: preview.number })}
        </Typography.Paragraph>
      ) : null}
      <Form.Item
        label={t('builder.settings.workflow')}
        htmlFor="fb-workflow"
        validateStatus={status('/workflowKey')}
        help={fieldErrors['/workflowKey']}
      >
        <Select
          id="fb-workflow"
          allowClear
          placeholder={t('builder.settings.noWorkflow')}
          value={settings.workflowKey ?? undefined}
          options={workflows.map((w) => ({
            value: w.key,
            label: `${w.name} (${w.key})${w.latestVersion ? ` v${w.latestVersion}` : ''}`,
          }))}
          onChange={(v) => onChange({ workflowKey: v ?? null })}
        />
      </Form.Item>
    </Form>
  );
}
