import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const ID_PATTERN = /^f_[0-9a-f]{32}$/;

/** A new file id: random, so knowing one id tells nothing about another. */
export const newFileId = (): string => `f_${randomBytes(16).toString('hex')}`;

export const isFileId = (id: string): boolean => ID_PATTERN.test(id);

/**
 * The bytes of uploaded files, one file per id under the files directory (two levels of
 * sub-directories by the id's first digits, so no directory grows huge). Written to a temporary
 * name first and renamed, so a reader never sees half a file.
 */
export class FileStorage {
  constructor(private readonly dir: string) {}

  private pathOf(id: string): string {
    if (!isFileId(id)) throw new Error(`Not a file id: ${id}`);
    return join(this.dir, id.slice(2, 4), id.slice(4, 6), id);
  }

  async write(id: string, bytes: Buffer): Promise<{ sha256: string }> {
    const path = this.pathOf(id);
    await mkdir(join(path, '..'), { recursive: true });
    const temporary = `${path}.${randomBytes(4).toString('hex')}.part`;
    try {
      await writeFile(temporary, bytes, { flag: 'wx' });
      await rename(temporary, path);
    } catch (e) {
      await rm(temporary, { force: true });
      throw e;
    }
    return { sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  read(id: string): Readable {
    return createReadStream(this.pathOf(id));
  }

  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }
}
