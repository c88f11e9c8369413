import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import type { Database } from './database.ts';
import { query } from './sql.ts';

/**
 * Messages between the server processes that share one PostgreSQL (LISTEN/NOTIFY): a change one
 * process makes that others hold in memory (who may log in, revoked sessions) reaches them within
 * milliseconds. The embedded database serves one process, so there it does nothing.
 */
export type Broadcast = {
  /** Sends to every process (this one included) once the surrounding transaction commits. */
  send: (em: EntityManager, payload: string) => Promise<void>;
  close: () => Promise<void>;
};

export async function listenTo(
  db: Pick<Database, 'url' | 'isEmbedded'>,
  channel: string,
  onMessage: (payload: string) => void,
  onError: (e: unknown) => void = () => {},
): Promise<Broadcast> {
  if (db.isEmbedded) return { send: async () => {}, close: async () => {} };
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Not a channel name: ${channel}`);
  let client: pg.Client | null = null;
  let isClosed = false;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: db.url });
    c.on('notification', (m) => {
      if (m.channel === channel) onMessage(m.payload ?? '');
    });
    c.on('error', (e) => {
      onError(e);
      client = null;
      // Reconnect after a pause; messages missed meanwhile are covered by the caches' lifetimes.
      if (!isClosed) setTimeout(() => void connect().catch(onError), 1_000).unref();
    });
    await c.connect();
    await c.query(`listen ${channel}`);
    client = c;
  };
  await connect();
  return {
    send: async (em, payload) => {
      await query(em, 'select pg_notify(?, ?)', [channel, payload]);
    },
    close: async () => {
      isClosed = true;
      await client?.end().catch(() => {});
    },
  };
}
