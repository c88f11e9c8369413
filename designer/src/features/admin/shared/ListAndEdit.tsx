import { App, Button, Form } from 'antd';
import type { TadaDocumentNode } from 'gql.tada';
import { type ReactNode, useCallback, useState } from 'react';
import type { GraphQLRequestError } from '../../../graphql/client.ts';
import { PageHeading } from '../../../ui/PageHeading/index.tsx';
import { QueryError } from '../../../ui/QueryError/index.tsx';
import { CreateModal } from './CreateModal.tsx';
import { mutate } from './mutate.ts';

/**
 * Runs an admin mutation (see mutate) and shows its refusal as an error message: the answer's
 * data when it worked, undefined when it did not.
 */
export function useAdminMutation() {
  const { message } = App.useApp();
  return useCallback(
    async <TResult, TVariables>(
      document: TadaDocumentNode<TResult, TVariables>,
      variables: TVariables,
    ): Promise<TResult | undefined> => {
      const r = await mutate(document, variables);
      if (r.ok) return r.data;
      void message.error(r.problem);
      return undefined;
    },
    [message],
  );
}

/**
 * The frame of an admin page that lists things and edits them (calendars, statuses): its heading
 * with the create button, the list query's error, the page's own body, and the create dialog with
 * the page's fields. `onCreate` answers whether the thing was made (the dialog then closes).
 */
export function ListAndEditPage<TValues extends object>({
  title,
  createLabel,
  error,
  onRetry,
  initialValues,
  onCreate,
  createFields,
  children,
}: {
  title: string;
  createLabel: string;
  error: GraphQLRequestError | undefined;
  onRetry: () => void;
  initialValues?: Partial<TValues>;
  onCreate: (values: TValues) => Promise<boolean>;
  createFields: ReactNode;
  children: ReactNode;
}) {
  const [isCreating, setCreating] = useState(false);
  const [form] = Form.useForm<TValues>();
  return (
    <>
      <PageHeading
        title={title}
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {createLabel}
          </Button>
        }
      />
      {error ? <QueryError error={error} onRetry={onRetry} /> : null}
      {children}
      <CreateModal<TValues>
        open={isCreating}
        title={createLabel}
        form={form}
        initialValues={initialValues}
        onCreate={async (values) => {
          if (await onCreate(values)) setCreating(false);
        }}
        onClose={() => setCreating(false)}
      >
        {createFields}
      </CreateModal>
    </>
  );
}
