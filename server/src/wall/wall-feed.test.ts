import { describe, expect, it } from 'vitest';
import { WallFeed } from './wall-feed.ts';

describe('WallFeed.close', () => {
  it('waits for the snapshots being read, then refuses new reads', async () => {
    const wall = new WallFeed();
    let finish: (() => void) | undefined;
    let isRead = false;
    const reading = wall.read(
      () =>
        new Promise<string>((resolve) => {
          finish = () => {
            isRead = true;
            resolve('figures');
          };
        }),
    );
    let isClosed = false;
    const closing = wall.close().then(() => {
      isClosed = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(isClosed).toBe(false);
    finish!();
    await closing;
    expect(isRead).toBe(true);
    await expect(reading).resolves.toBe('figures');
    await expect(wall.read(async () => 'late')).rejects.toThrow(/shutting down/);
  });

  it('does not wait on a read that failed', async () => {
    const wall = new WallFeed();
    const failing = wall.read(async () => {
      throw new Error('database gone');
    });
    await expect(failing).rejects.toThrow('database gone');
    await wall.close();
  });
});
