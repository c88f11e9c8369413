import { Templates } from '@rjsf/antd';
import type { FieldErrorProps } from '@rjsf/utils';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../i18n/i18n.ts';
import { type MessageSource, sayMessage } from './error-messages.ts';

const AntdFieldErrorTemplate = Templates.FieldErrorTemplate!;

/** What SchemaForm hands its templates (rjsf's formContext). */
export type SchemaFormContext = {
  descriptionLocation: 'below';
  /** Each check's message (in the language it was made in) -> what it says, to say it again. */
  errorSources: Map<string, MessageSource>;
};

/**
 * A field's messages in the page's language: one shown before the language changed is said again
 * in the new one (the form keeps the messages of its last check as text, in the language of then).
 * The server's messages come as they are.
 */
export function FieldErrorTemplate(props: FieldErrorProps) {
  // Most fields have no message: they skip the language binding (a long form draws them all on each change).
  return props.errors?.length ? <SaidErrors {...props} /> : null;
}

function SaidErrors(props: FieldErrorProps) {
  const { t } = useTranslation('schemaForm');
  const language = currentLanguage();
  const sources = (props.registry.formContext as Partial<SchemaFormContext>).errorSources;
  const errors = props.errors?.map((e) => {
    const source = typeof e === 'string' ? sources?.get(e) : undefined;
    return source
      ? sayMessage(source, {
          t: t as unknown as (k: string, o?: Record<string, unknown>) => string,
          language,
        })
      : e;
  });
  return <AntdFieldErrorTemplate {...props} errors={errors} />;
}
