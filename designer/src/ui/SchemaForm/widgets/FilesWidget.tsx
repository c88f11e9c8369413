import { PaperClipOutlined } from '@ant-design/icons';
import type { WidgetProps } from '@rjsf/utils';
import { Button, List, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fileSizeText, type StoredFile, storedFiles, uploadFile } from '../files.ts';

/**
 * File attachments: each file is sent to the server's upload route at once and the field keeps
 * what the server answered (id, name, size, type); the ticket links them when it is saved.
 */
export function FilesWidget(props: WidgetProps) {
  const { t } = useTranslation('schemaForm');
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState<string[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const files = storedFiles(props.value);
  const isDisabled = props.disabled || props.readonly;
  const accept = typeof props.options.accept === 'string' ? props.options.accept : undefined;
  const maxSize = typeof props.options.maxSize === 'number' ? props.options.maxSize : undefined;

  const add = async (list: FileList | null) => {
    if (!list) return;
    const chosen = Array.from(list);
    const problemsNow: string[] = [];
    const added: StoredFile[] = [];
    setBusy(chosen.map((f) => f.name));
    for (const file of chosen) {
      if (maxSize !== undefined && file.size > maxSize) {
        problemsNow.push(t('files.tooLarge', { name: file.name, limit: fileSizeText(maxSize) }));
        continue;
      }
      try {
        added.push(await uploadFile(file));
      } catch (e) {
        problemsNow.push(t('files.failed', { name: file.name, reason: (e as Error).message }));
      }
    }
    setBusy([]);
    setProblems(problemsNow);
    if (added.length > 0) props.onChange([...files, ...added]);
    if (input.current) input.current.value = '';
  };

  return (
    <div>
      <input
        ref={input}
        id={props.id}
        type="file"
        multiple={props.schema.type === 'array'}
        accept={accept}
        hidden
        onChange={(e) => void add(e.target.files)}
      />
      {isDisabled ? null : (
        <Button icon={<PaperClipOutlined />} onClick={() => input.current?.click()} loading={busy.length > 0}>
          {busy.length > 0 ? t('files.uploading', { name: busy.join(', ') }) : t('files.add')}
        </Button>
      )}
      {files.length > 0 ? (
        <List
          size="small"
          dataSource={files}
          renderItem={(f) => (
            <List.Item
              actions={
                isDisabled
                  ? []
                  : [
                      <Button
                        key="remove"
                        type="link"
                        size="small"
                        aria-label={t('files.remove', { name: f.name })}
                        onClick={() => {
                          const rest = files.filter((x) => x.id !== f.id);
                          props.onChange(rest.length > 0 ? rest : undefined);
                        }}
                      >
                        ×
                      </Button>,
                    ]
              }
            >
              <a href={`/files/${encodeURIComponent(f.id)}`} target="_blank" rel="noreferrer">
                {f.name}
              </a>{' '}
              <Typography.Text type="secondary">{fileSizeText(f.size)}</Typography.Text>
            </List.Item>
          )}
        />
      ) : null}
      {problems.map((p) => (
        <Typography.Text key={p} type="danger" role="alert" style={{ display: 'block' }}>
          {p}
        </Typography.Text>
      ))}
    </div>
  );
}
