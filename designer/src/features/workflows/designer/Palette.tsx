import type { AnyNodeTypeDefinition } from '@docket/core';
import { NODE_CATEGORIES } from '@docket/core';
import { Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { NODE_TYPE_MIME } from './Canvas.tsx';

/**
 * Every node type the server offers, by category: drag one onto the canvas, or click it (or
 * press Enter on it) to add it in the middle of the view. Plugin types appear here with no
 * designer code.
 */
export function Palette({
  types,
  onAdd,
  isDisabled,
  titleOf,
}: {
  types: readonly (AnyNodeTypeDefinition & { source?: string })[];
  onAdd: (type: string) => void;
  isDisabled: boolean;
  titleOf: (def: AnyNodeTypeDefinition & { source?: string }) => { title: string; description: string };
}) {
  const { t } = useTranslation('workflows');
  return (
    <nav className="wf-palette" aria-label={t('palette.label')}>
      {NODE_CATEGORIES.map((category) => {
        const list = types.filter((d) => d.category === category);
        if (list.length === 0) return null;
        return (
          <section key={category}>
            <Typography.Text type="secondary" className="wf-palette-category">
              {t(`palette.categories.${category}`)}
            </Typography.Text>
            {list.map((def) => {
              const words = titleOf(def);
              return (
                <Tooltip key={def.type} title={words.description} placement="right">
                  <button
                    type="button"
                    className={`wf-palette-item wf-cat-${def.category}`}
                    data-testid={`palette-${def.type}`}
                    disabled={isDisabled}
                    draggable={!isDisabled}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(NODE_TYPE_MIME, def.type);
                      e.dataTransfer.effectAllowed = 'copy';
                    }}
                    onClick={() => onAdd(def.type)}
                  >
                    {words.title}
                    {def.source && def.source !== 'core' ? (
                      <span className="wf-palette-source">{def.source}</span>
                    ) : null}
                  </button>
                </Tooltip>
              );
            })}
          </section>
        );
      })}
    </nav>
  );
}
