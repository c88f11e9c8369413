import { PaperClipOutlined } from '@ant-design/icons';
import { Button, Card, List, message, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../../graphql/client.ts';
import { type FragmentOf, graphql, readFragment } from '../../../graphql/graphql.ts';
import { fileSizeText, uploadFile } from '../../../ui/SchemaForm/files.ts';
import { RefusalFragment } from '../../admin/shared/refusal.ts';
import { messageOf } from '../views.ts';
import { AttachmentsFragment } from './attachments-fragment.ts';

const AttachFiles = graphql(
  `
    mutation DeskAttachFiles($id: ID!, $fileIds: [String!]!) {
      attachFiles(id: $id, fileIds: $fileIds) {
        __typename
        ...Refusal
      }
    }
  `,
  [RefusalFragment],
);

/** The ticket's files (its form's and those attached here), each a download; more added by upload. */
export function Attachments({
  ticket,
  onAttached,
}: {
  ticket: FragmentOf<typeof AttachmentsFragment>;
  onAttached: () => void;
}) {
  const { t } = useTranslation('desk');
  const { id, attachments } = readFragment(AttachmentsFragment, ticket);
  const input = useRef<HTMLInputElement>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [api, holder] = message.useMessage();

  const add = async (list: FileList | null) => {
    const chosen = Array.from(list ?? []);
    if (!id || chosen.length === 0) return;
    setIsBusy(true);
    try {
      const uploaded = await Promise.all(chosen.map((f) => uploadFile(f)));
      const r = (await request(AttachFiles, { id, fileIds: uploaded.map((f) => f.id) })).attachFiles;
      if (r?.__typename === 'Ticket') onAttached();
      else void api.error(t('ticket.attachFailed', { message: messageOf(r) }));
    } catch (e) {
      void api.error(t('ticket.attachFailed', { message: (e as Error).message }));
    } finally {
      setIsBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  const files = attachments ?? [];
  return (
    <Card
      size="small"
      title={t('ticket.attachments')}
      extra={
        <Button
          size="small"
          icon={<PaperClipOutlined />}
          loading={isBusy}
          onClick={() => input.current?.click()}
          data-testid="attach-files"
        >
          {t('ticket.attach')}
        </Button>
      }
    >
      {holder}
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label={t('ticket.attach')}
        onChange={(e) => void add(e.target.files)}
        data-testid="attach-input"
      />
      {files.length === 0 ? (
        <Typography.Text type="secondary">{t('ticket.noAttachments')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={files}
          data-testid="attachments"
          renderItem={(f) => (
            <List.Item>
              <Typography.Link href={f.url ?? undefined} target="_blank" style={{ overflowWrap: 'anywhere' }}>
                {f.name}
              </Typography.Link>
              <Typography.Text type="secondary">{fileSizeText(f.size ?? 0)}</Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
