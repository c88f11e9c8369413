import type { WidgetProps } from '@rjsf/utils';
import { Button, Space, theme } from 'antd';
import { startTransition, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { isBlankRichText, sanitizeRichText } from './rich-text.ts';

/**
 * Rich text kept light: a contentEditable area with bold, italic and lists, no editor library.
 * The value is sanitized HTML (see sanitizeRichText); the browser keeps the text while typing.
 */
export function RichTextWidget(props: WidgetProps) {
  const { t } = useTranslation('schemaForm');
  const { token } = theme.useToken();
  const ref = useRef<HTMLDivElement>(null);
  const sent = useRef<string | undefined>(undefined);
  const value = typeof props.value === 'string' ? props.value : '';
  const isDisabled = props.disabled || props.readonly;

  useEffect(() => {
    const el = ref.current;
    if (!el || sent.current === value) return;
    el.innerHTML = sanitizeRichText(value);
    sent.current = value;
  }, [value]);

  const commit = () => {
    const el = ref.current;
    if (!el) return;
    const html = isBlankRichText(el.innerHTML) ? '' : sanitizeRichText(el.innerHTML);
    if (html === sent.current) return;
    sent.current = html;
    startTransition(() => props.onChange(html === '' ? props.options.emptyValue : html));
  };
  const command = (name: 'bold' | 'italic' | 'insertUnorderedList') => {
    ref.current?.focus();
    // execCommand is deprecated but still the one portable way to format a selection in place
    document.execCommand(name);
    commit();
  };

  return (
    <div className="docket-rich-text">
      {isDisabled ? null : (
        <Space size={4} style={{ marginBottom: 4 }}>
          <Button
            size="small"
            aria-label={t('richText.bold')}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => command('bold')}
          >
            <b>B</b>
          </Button>
          <Button
            size="small"
            aria-label={t('richText.italic')}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => command('italic')}
          >
            <i>I</i>
          </Button>
          <Button
            size="small"
            aria-label={t('richText.list')}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => command('insertUnorderedList')}
          >
            •
          </Button>
        </Space>
      )}
      {/* biome-ignore lint/a11y/useSemanticElements: a rich-text area has no native element */}
      <div
        ref={ref}
        id={props.id}
        role="textbox"
        tabIndex={0}
        aria-multiline="true"
        aria-label={props.label}
        aria-disabled={isDisabled}
        contentEditable={!isDisabled}
        suppressContentEditableWarning
        onInput={commit}
        onBlur={() => {
          commit();
          props.onBlur(props.id, sent.current);
        }}
        style={{
          minHeight: 96,
          padding: '4px 11px',
          border: `1px solid ${props.rawErrors?.length ? token.colorError : token.colorBorder}`,
          borderRadius: token.borderRadius,
          background: isDisabled ? token.colorBgContainerDisabled : token.colorBgContainer,
          outline: 'none',
        }}
      />
    </div>
  );
}
