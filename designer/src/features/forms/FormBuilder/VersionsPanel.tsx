import { Button, List, Popconfirm, Select, Space, Table, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTime } from '../../../ui/DateTime/index.tsx';
import { diffTemplates, type TemplateChange, type VersionContent } from '../builder/diff.ts';

export type VersionRow = {
  version: number;
  publishedAt: string | null;
  publishedBy: string | null;
  content: VersionContent;
};

const DRAFT = 0;

const SETTING_LABEL = {
  name: 'builder.settings.name',
  categoryPath: 'builder.settings.category',
  defaultPriority: 'builder.settings.priority',
  numberPattern: 'builder.settings.numberPattern',
  workflowKey: 'builder.settings.workflow',
} as const;

/** Published versions: compare any two (or one with the draft), and revert to one. */
export function VersionsPanel({
  versions,
  draft,
  onRevert,
}: {
  versions: readonly VersionRow[];
  draft: VersionContent;
  onRevert: (version: number) => void;
}) {
  const { t } = useTranslation('forms');
  const newest = versions[0]?.version;
  const [left, setLeft] = useState<number | undefined>(newest);
  const [right, setRight] = useState<number>(DRAFT);
  const changes = useMemo(() => {
    const contentOf = (v: number | undefined) =>
      v === DRAFT ? draft : versions.find((x) => x.version === v)?.content;
    const a = contentOf(left);
    const b = contentOf(right);
    return a && b ? diffTemplates(a, b) : [];
  }, [left, right, versions, draft]);
  const options = [
    { value: DRAFT, label: t('builder.versions.draft') },
    ...versions.map((v) => ({ value: v.version, label: t('list.version', { version: v.version }) })),
  ];
  const describe = (c: TemplateChange): string => {
    const empty = t('builder.versions.empty');
    switch (c.kind) {
      case 'setting':
        return t('builder.versions.setting', {
          name: t(SETTING_LABEL[c.name]),
          from: c.from || empty,
          to: c.to || empty,
        });
      case 'added':
        return t('builder.versions.added', { title: c.title });
      case 'removed':
        return t('builder.versions.removed', { title: c.title });
      case 'moved':
        return t('builder.versions.moved', { title: c.title });
      case 'sections':
        return t('builder.versions.sections', { from: c.from || empty, to: c.to || empty });
      case 'changed':
        return t('builder.versions.changed', {
          title: c.title,
          attributes: c.attributes
            .map((a) =>
              a === 'isRequired'
                ? t('builder.field.required')
                : a === 'kind'
                  ? t('builder.field.kind')
                  : a === 'title'
                    ? t('builder.field.label')
                    : t(`builder.field.${a}` as 'builder.field.help', { defaultValue: a }),
            )
            .join(', '),
        });
    }
  };

  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }} data-testid="versions-panel">
      <Table
        size="small"
        pagination={false}
        rowKey="version"
        dataSource={[...versions]}
        locale={{ emptyText: t('detail.versions.none') }}
        columns={[
          {
            key: 'v',
            title: t('detail.versions.version'),
            render: (_, v) => t('list.version', { version: v.version }),
          },
          {
            key: 'at',
            title: t('detail.versions.publishedAt'),
            render: (_, v) => <DateTime value={v.publishedAt} />,
          },
          { key: 'by', title: t('detail.versions.publishedBy'), render: (_, v) => v.publishedBy },
          {
            key: 'revert',
            title: '',
            render: (_, v) => (
              <Popconfirm
                title={t('builder.versions.revertConfirm', { version: v.version })}
                onConfirm={() => onRevert(v.version)}
              >
                <Button size="small" disabled={v.version === newest}>
                  {t('builder.versions.revert', { version: v.version })}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
      {versions.length > 0 ? (
        <div>
          <Space wrap>
            <Typography.Text>{t('builder.versions.compare')}</Typography.Text>
            <Select
              aria-label={t('builder.versions.compare')}
              style={{ minWidth: 120 }}
              value={left}
              options={options}
              onChange={setLeft}
            />
            <Typography.Text>{t('builder.versions.with')}</Typography.Text>
            <Select
              aria-label={t('builder.versions.with')}
              style={{ minWidth: 120 }}
              value={right}
              options={options}
              onChange={setRight}
            />
          </Space>
          <List
            size="small"
            data-testid="version-diff"
            dataSource={changes}
            locale={{ emptyText: t('builder.versions.noChanges') }}
            renderItem={(c) => (
              <List.Item className={`fb-change fb-change-${c.kind}`}>{describe(c)}</List.Item>
            )}
          />
        </div>
      ) : null}
    </Space>
  );
}
