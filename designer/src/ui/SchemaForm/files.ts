/** A file the server keeps, as a form field holds it. */
export type StoredFile = { id: string; name: string; size: number; contentType: string };

/** The files a field's value lists (anything else in it is ignored). */
export function storedFiles(value: unknown): StoredFile[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v): StoredFile[] => {
    if (!v || typeof v !== 'object') return [];
    const r = v as Record<string, unknown>;
    if (typeof r.id !== 'string' || typeof r.name !== 'string') return [];
    return [
      {
        id: r.id,
        name: r.name,
        size: typeof r.size === 'number' ? r.size : 0,
        contentType: typeof r.contentType === 'string' ? r.contentType : 'application/octet-stream',
      },
    ];
  });
}

export function fileSizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Sends one file to the server's upload route (POST /files, the body is the file itself). */
export async function uploadFile(file: File): Promise<StoredFile> {
  const response = await fetch('/files', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': file.type || 'application/octet-stream',
      'x-file-name': encodeURIComponent(file.name),
      'x-docket-csrf': '1',
    },
    body: file,
  });
  const body = (await response.json().catch(() => undefined)) as
    | (StoredFile & { error?: string })
    | { error?: string }
    | undefined;
  if (!response.ok || !body || !('id' in body)) throw new Error(body?.error ?? `HTTP ${response.status}`);
  return { id: body.id, name: body.name, size: body.size, contentType: body.contentType };
}

/** The JSON Schema of an attachments field's value, shared by the builder and the server's check. */
export const FILES_VALUE_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'name'],
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      size: { type: 'integer' },
      contentType: { type: 'string' },
    },
  },
} as const;
