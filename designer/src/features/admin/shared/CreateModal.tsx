import { Form, type FormInstance, Modal } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A dialog that creates something from a small form: Create submits it, Cancel closes it. */
export function CreateModal<T extends object>({
  open,
  title,
  form,
  initialValues,
  onCreate,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  form: FormInstance<T>;
  initialValues?: Partial<T>;
  onCreate: (values: T) => void | Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation('admin');
  return (
    <Modal
      open={open}
      title={title}
      okText={t('actions.create')}
      cancelText={t('actions.cancel')}
      onOk={() => form.submit()}
      onCancel={onClose}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={onCreate} initialValues={initialValues}>
        {children}
      </Form>
    </Modal>
  );
}
