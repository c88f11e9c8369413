import { emptyTemplateContent } from '@docket/core';
import { Alert, Button, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { request } from '../../../graphql/client.ts';
import { CreateTemplateMutation } from '../builder/operations.ts';

/** Creates a template (a draft with an empty form) and opens it in the form builder. */
export function NewTemplateButton() {
  const { t } = useTranslation('forms');
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
      const content = emptyTemplateContent(name ?? '');
      const r = (
        await request(CreateTemplateMutation, { key: (key ?? '').trim(), content: content as never })
      ).createTemplate;
      if (r?.__typename === 'TicketTemplate') {
        navigate(`/admin/templates/${encodeURIComponent(r.key ?? '')}`);
        return;
      }
      if (r?.__typename === 'ValidationError') {
        const next: typeof errors = {};
        for (const f of r.fields ?? []) {
          if (f.path === '/key') next.key = f.message ?? '';
          else if (f.path === '/name') next.name = f.message ?? '';
          else next.other = f.message ?? '';
        }
        if (!next.key && !next.name && !next.other) next.other = r.message ?? '';
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
        okText={t('create.submit')}
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
            extra={t('create.keyHelp')}
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
            <Input onPressEnter={() => void create()} />
          </Form.Item>
        </Form>
        {errors.other ? (
          <Alert type="error" showIcon title={t('create.failed', { message: errors.other })} />
        ) : null}
      </Modal>
    </>
  );
}
