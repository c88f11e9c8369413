import { Alert, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { graphql } from '../../../graphql/graphql.ts';

const CreateWorkflowMutation = graphql(`
  mutation CreateWorkflow($key: String!, $name: String!) {
    createWorkflow(key: $key, name: $name) {
      __typename
      ... on Workflow {
        key
      }
      ... on ValidationError {
        message
        fields {
          path
          message
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** Creates a workflow (a lone start node) and opens it in the designer. */
export function NewWorkflowButton() {
  const { t } = useTranslation('workflows');
  const navigate = useNavigate();
  const [isOpen, setOpen] = useState(false);
  const [errors, setErrors] = useState<{ key?: string; name?: string; other?: string }>({});
  const [form] = Form.useForm<{ key: string; name: string }>();
  const [isBusy, setBusy] = useState(false);

  const create = async () => {
    const { key, name } = form.getFieldsValue();
    setBusy(true);
    setErrors({});
    try {
      const r = (await request(CreateWorkflowMutation, { key: (key ?? '').trim(), name: name ?? '' }))
        .createWorkflow;
      if (r?.__typename === 'Workflow') {
        navigate(`/admin/workflows/${encodeURIComponent(r.key ?? '')}`);
        return;
      }
      if (r?.__typename === 'ValidationError') {
        const next: typeof errors = {};
        for (const f of r.fields ?? []) {
          if (f.path === '/key') next.key = f.message ?? '';
          else if (f.path === '/name') next.name = f.message ?? '';
          else next.other = f.message ?? '';
        }
        setErrors(next);
      } else if (r && 'message' in r) setErrors({ other: String(r.message) });
    } catch (e) {
      setErrors({ other: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('create.button')}
      </Button>
      <Modal
        open={isOpen}
        title={t('create.title')}
        okText={t('create.ok')}
        cancelText={t('create.cancel')}
        confirmLoading={isBusy}
        onOk={() => void create()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={() => void create()}>
          <Form.Item
            name="key"
            label={t('create.key')}
            extra={t('create.keyHint')}
            validateStatus={errors.key ? 'error' : undefined}
            help={errors.key}
          >
            <Input autoFocus />
          </Form.Item>
          <Form.Item
            name="name"
            label={t('create.name')}
            validateStatus={errors.name ? 'error' : undefined}
            help={errors.name}
          >
            <Input />
          </Form.Item>
          {errors.other ? <Alert type="error" showIcon title={errors.other} /> : null}
          <button type="submit" hidden />
        </Form>
      </Modal>
    </>
  );
}
