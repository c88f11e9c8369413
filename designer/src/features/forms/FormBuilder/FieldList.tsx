import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Card, Space, Tag, Typography } from 'antd';
import { type DragEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  addField,
  addSection,
  FIELD_KINDS,
  type FieldKind,
  type FormModel,
  moveField,
  newField,
  removeField,
  removeSection,
} from '../builder/form-model.ts';

const DRAG_KIND = 'application/x-docket-field-kind';
const DRAG_INDEX = 'application/x-docket-field-index';

/**
 * The palette and the form's fields in order. A kind from the palette is added by a click (at
 * the end) or dropped where it should go; fields are reordered by drag or by their arrow buttons
 * (keyboard), and grouped into sections picked in the field's inspector.
 */
export function FieldList({
  model,
  onChange,
  selected,
  onSelect,
  problems,
}: {
  model: FormModel;
  onChange: (next: FormModel) => void;
  selected: string | undefined;
  onSelect: (key: string) => void;
  problems: Record<string, string[]>;
}) {
  const { t } = useTranslation('forms');
  const [dropAt, setDropAt] = useState<number | undefined>();

  const add = (kind: FieldKind, index?: number) => {
    const field = newField(model, kind, t(`builder.kinds.${kind}`));
    onChange(addField(model, field, index));
    onSelect(field.key);
  };
  const onDrop = (e: DragEvent, index: number) => {
    e.preventDefault();
    setDropAt(undefined);
    const kind = e.dataTransfer.getData(DRAG_KIND) as FieldKind;
    if (kind && FIELD_KINDS.includes(kind)) return add(kind, index);
    const from = Number(e.dataTransfer.getData(DRAG_INDEX));
    if (Number.isInteger(from) && e.dataTransfer.getData(DRAG_INDEX) !== '')
      onChange(moveField(model, from, from < index ? index - 1 : index));
  };
  const sectionTitle = (key: string | undefined) => model.sections.find((s) => s.key === key)?.title;

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Card
        size="small"
        title={t('builder.palette.title')}
        extra={<Typography.Text type="secondary">{t('builder.palette.hint')}</Typography.Text>}
      >
        <div className="fb-palette" data-testid="field-palette">
          {FIELD_KINDS.map((kind) => (
            <Button
              key={kind}
              size="small"
              draggable
              onDragStart={(e) => e.dataTransfer.setData(DRAG_KIND, kind)}
              onClick={() => add(kind)}
              icon={<PlusOutlined />}
            >
              {t(`builder.kinds.${kind}`)}
            </Button>
          ))}
        </div>
      </Card>
      <Card
        size="small"
        title={t('builder.list.title')}
        extra={
          <Button
            size="small"
            onClick={() =>
              onChange(addSection(model, t('builder.list.newSection', { n: model.sections.length + 1 })))
            }
          >
            {t('builder.list.addSection')}
          </Button>
        }
      >
        {model.sections.length > 0 ? (
          <div style={{ marginBottom: 8 }}>
            {model.sections.map((s) => (
              <Tag
                key={s.key}
                closable
                closeIcon={<span title={t('builder.list.removeSection', { title: s.title })}>×</span>}
                onClose={(e) => {
                  e.preventDefault();
                  onChange(removeSection(model, s.key));
                }}
              >
                {s.title}
              </Tag>
            ))}
          </div>
        ) : null}
        {model.fields.length === 0 ? (
          // biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the palette's buttons add fields by click or keyboard
          <div
            className={`fb-drop ${dropAt === 0 ? 'fb-drop-active' : ''}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDropAt(0);
            }}
            onDragLeave={() => setDropAt(undefined)}
            onDrop={(e) => onDrop(e, 0)}
          >
            <Typography.Text type="secondary">{t('builder.list.empty')}</Typography.Text>
          </div>
        ) : (
          <ol className="fb-fields" data-testid="field-list">
            {model.fields.map((f, i) => {
              const isSelected = f.key === selected;
              const hasProblems = (problems[f.key] ?? []).length > 0;
              return (
                <li
                  key={f.key}
                  className={`fb-field ${isSelected ? 'fb-field-selected' : ''} ${dropAt === i ? 'fb-drop-before' : ''} ${hasProblems ? 'fb-field-problem' : ''}`}
                  draggable
                  data-field={f.key}
                  onDragStart={(e) => e.dataTransfer.setData(DRAG_INDEX, String(i))}
                  onDragOver={(e) => {
                    e.preventDefault();
                    setDropAt(i);
                  }}
                  onDragLeave={() => setDropAt(undefined)}
                  onDrop={(e) => onDrop(e, i)}
                >
                  <button
                    type="button"
                    className="fb-field-main"
                    onClick={() => onSelect(f.key)}
                    aria-pressed={isSelected}
                  >
                    <span className="fb-field-title">{f.title || f.key}</span>
                    <Typography.Text type="secondary" className="fb-field-meta">
                      {t(`builder.kinds.${f.kind}`)} · {f.key}
                    </Typography.Text>
                    {f.isRequired ? <Tag color="red">{t('builder.list.required')}</Tag> : null}
                    {f.condition ? <Tag color="purple">{t('builder.list.conditional')}</Tag> : null}
                    {f.section ? <Tag>{sectionTitle(f.section)}</Tag> : null}
                  </button>
                  <Space size={0}>
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowUpOutlined />}
                      disabled={i === 0}
                      aria-label={t('builder.list.moveUp', { title: f.title })}
                      onClick={() => onChange(moveField(model, i, i - 1))}
                    />
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowDownOutlined />}
                      disabled={i === model.fields.length - 1}
                      aria-label={t('builder.list.moveDown', { title: f.title })}
                      onClick={() => onChange(moveField(model, i, i + 1))}
                    />
                    <Button
                      type="text"
                      size="small"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={t('builder.list.remove', { title: f.title })}
                      onClick={() => onChange(removeField(model, f.key))}
                    />
                  </Space>
                </li>
              );
            })}
            <li
              className={`fb-drop ${dropAt === model.fields.length ? 'fb-drop-active' : ''}`}
              onDragOver={(e) => {
                e.preventDefault();
                setDropAt(model.fields.length);
              }}
              onDragLeave={() => setDropAt(undefined)}
              onDrop={(e) => onDrop(e, model.fields.length)}
            />
          </ol>
        )}
      </Card>
    </Space>
  );
}
