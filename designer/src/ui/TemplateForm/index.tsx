import type { RJSFSchema, UiSchema } from '@rjsf/utils';
import { Alert } from 'antd';
import type { ReactNode } from 'react';
import { type FormData, SchemaForm } from '../SchemaForm/index.tsx';
import type { SplitRefusal } from './refusal.ts';

export type TemplateFormProps = {
  /** The template's form as the server keeps it (JSON Schema and uiSchema, both JSON). */
  formSchema: unknown;
  uiSchema: unknown;
  /** What the server refused last time (useSubmission): its form fields' messages show beside them. */
  refusal: SplitRefusal | null;
  /** The refusal in words for the page, above the form; nothing when empty. */
  problem?: ReactNode;
  isBusy: boolean;
  submitLabel: ReactNode;
  onSubmit: (formData: FormData) => void;
  id?: string;
};

/**
 * A template's generated form to fill in and send, as the desk's new ticket and the portal's
 * public form show it: the problem the server answered, then the fields with their own messages.
 */
export function TemplateForm({
  formSchema,
  uiSchema,
  refusal,
  problem,
  isBusy,
  submitLabel,
  onSubmit,
  id,
}: TemplateFormProps) {
  return (
    <>
      {problem ? (
        <Alert
          type="error"
          showIcon
          title={problem}
          style={{ marginBottom: 16 }}
          data-testid="submit-problem"
        />
      ) : null}
      <SchemaForm
        id={id}
        schema={formSchema as RJSFSchema}
        uiSchema={(uiSchema ?? {}) as UiSchema}
        serverErrors={refusal?.formErrors}
        isSubmitting={isBusy}
        submitLabel={submitLabel}
        onSubmit={onSubmit}
      />
    </>
  );
}
