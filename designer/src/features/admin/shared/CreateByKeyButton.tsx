import { Alert, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

/** What creating answered: the address of what was made, or the server's refusal. */
export type CreateAnswer =
  | { open: string }
  | {
      message?: string | null;
      fields?: readonly { path?: string | null; message?: string | null }[] | null;
    }
  | null
  | undefined;

type Problems = { key?: string; name?: string; other?: string };

/** The refusal's words by the field they belong to (key, name, or the dialog as a whole). */
function problemsOf(answer: Exclude<CreateAnswer, { open: string } | null | undefined>): Problems {
  const next: Problems = {};
  for (const f of answer.fields ?? []) {
    if (f.path === '/key') next.key = f.message ?? '';
    else if (f.path === '/name') next.name = f.message ?? '';
    else next.other = f.message ?? '';
  }
  if (!next.key && !next.name && !next.other) next.other = answer.message ?? '';
  return next;
}

/**
 * A button that opens a dialog asking for a key and a name, creates something versioned by them
 * (a ticket template, a workflow) and opens it. The words come from the namespace's `create`
 * keys (button, title, key, keyHelp, name, submit, cancel, failed); a refusal shows beside the
 * field it names, or under the form.
 */
export function CreateByKeyButton({
  namespace,
  create,
}: {
  namespace: 'forms' | 'workflows';
  create: (input: { key: string; name: string }) => Promise<CreateAnswer>;
}) {
  const { t } = useTranslation(namespace);
  const say = t as unknown as (key: string, options?: Record<string, unknown>) => string;
  const navigate = useNavigate();
  const [isOpen, setOpen] = useState(false);
  const [problems, setProblems] = useState<Problems>({});
  const [form] = Form.useForm<{ key: string; name: string }>();
  const [isBusy, setBusy] = useState(false);

  const submit = async () => {
    const { key, name } = form.getFieldsValue();
    setBusy(true);
    setProblems({});
    try {
      const answer = await create({ key: (key ?? '').trim(), name: name ?? '' });
      if (answer && 'open' in answer) return void navigate(answer.open);
      if (answer) setProblems(problemsOf(answer));
    } catch (e) {
      setProblems({ other: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {say('create.button')}
      </Button>
      <Modal
        open={isOpen}
        title={say('create.title')}
        okText={say('create.submit')}
        cancelText={say('create.cancel')}
        confirmLoading={isBusy}
        onOk={() => void submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={() => void submit()}>
          <Form.Item
            name="key"
            label={say('create.key')}
            extra={say('create.keyHelp')}
            validateStatus={problems.key ? 'error' : undefined}
            help={problems.key}
          >
            <Input autoFocus />
          </Form.Item>
          <Form.Item
            name="name"
            label={say('create.name')}
            validateStatus={problems.name ? 'error' : undefined}
            help={problems.name}
          >
            <Input />
          </Form.Item>
          {problems.other ? (
            <Alert type="error" showIcon title={say('create.failed', { message: problems.other })} />
          ) : null}
          {/* Enter in either box creates */}
          <button type="submit" hidden />
        </Form>
      </Modal>
    </>
  );
}
