import { Alert, Button, Input, Modal, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** A secret (a temporary password, a new API token) shown once, with a button to copy it. */
export function OnceSecret({
  title,
  secret,
  onClose,
}: {
  title: string;
  secret: string | null;
  onClose: () => void;
}) {
  const { t } = useTranslation('admin');
  const [isCopied, setCopied] = useState(false);
  return (
    <Modal
      open={secret !== null}
      title={title}
      onCancel={onClose}
      footer={<Button onClick={onClose}>{t('actions.close')}</Button>}
      afterClose={() => setCopied(false)}
    >
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon title={t('shownOnce')} />
        <Space.Compact style={{ width: '100%' }}>
          <Input
            readOnly
            value={secret ?? ''}
            aria-label={title}
            data-testid="once-secret"
            style={{ fontFamily: 'monospace' }}
          />
          <Button
            onClick={() => {
              void navigator.clipboard?.writeText(secret ?? '').catch(() => undefined);
              setCopied(true);
            }}
          >
            {isCopied ? t('actions.copied') : t('actions.copy')}
          </Button>
        </Space.Compact>
      </Space>
    </Modal>
  );
}
