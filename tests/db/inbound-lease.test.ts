import { type Database, forkEm, openDatabase, query } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimInboundMany,
  failInbound,
  failInboundMany,
  finishInbound,
  INBOUND_LEASE_SECONDS,
  insertInboundMany,
} from '../../server/src/channels/inbound-repository.ts';
import { databaseKind, freshDatabaseUrl, withDump } from '../helpers/test-database.ts';

/**
 * A try holds its inbound message for a lease long enough for a try under load (a 5 s lease ran
 * out while a busy server was still at the message, and a sweep began a second try: the plugin
 * was asked twice). A failed try comes back after the backoff, not the lease; a finished message
 * is never put back.
 */
describe(`inbound message leases (${databaseKind()})`, () => {
  let db: Database;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabaseUrl();
    drop = fresh.drop;
    db = await openDatabase(fresh.url ? { databaseUrl: fresh.url } : withDump(fresh));
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await drop?.();
  });

  const store = (n: number) =>
    insertInboundMany(
      forkEm(db),
      Array.from({ length: n }, () => ({
        transport: 'smtp',
        envelope: {},
        raw: Buffer.from('Subject: x\r\n\r\nbody'),
        receivedAt: new Date(),
      })),
    );
  /** Seconds from now until each message's next try, and its state. */
  const nextTry = async (ids: string[]) =>
    query<{ id: string; in_s: number; status: string; last_error: string | null }>(
      forkEm(db),
      `select id::text, extract(epoch from next_attempt_at - now())::float8 as in_s, status, last_error
         from inbound_message where id = any(?::bigint[]) order by id`,
      [ids],
    );

  it('a claimed message is held for the lease, and a second claim meanwhile gets nothing', async () => {
    const ids = await store(2);
    const claimed = await claimInboundMany(forkEm(db), ids);
    expect(claimed.map((m) => m.id)).toEqual(ids);
    for (const m of await nextTry(ids)) {
      expect(m.in_s).toBeGreaterThan(INBOUND_LEASE_SECONDS - 10);
      expect(m.in_s).toBeLessThanOrEqual(INBOUND_LEASE_SECONDS);
    }
    expect(await claimInboundMany(forkEm(db), ids)).toEqual([]);
  });

  it('a failed try comes back after the backoff (5 s, then 10 s), a finished one never', async () => {
    const [first, second] = await store(2);
    await claimInboundMany(forkEm(db), [first!, second!]);
    await failInbound(forkEm(db), first!, { channel: null, error: 'no enabled plugin channel takes mail' });
    await finishInbound(forkEm(db), second!, {
      status: 'done',
      channel: 'email',
      ticketId: null,
      outcome: {},
    });
    // A late failure of another try does not touch the finished message.
    await failInboundMany(forkEm(db), [second!], { channel: null, error: 'a try that lost the race' });
    const [a, b] = await nextTry([first!, second!]);
    expect(a!.in_s).toBeGreaterThan(3);
    expect(a!.in_s).toBeLessThanOrEqual(5);
    expect(a!.last_error).toBe('no enabled plugin channel takes mail');
    expect(b).toMatchObject({ status: 'done', last_error: null });

    // Second try: claimed again (made due), fails again: 10 s.
    await query(forkEm(db), 'update inbound_message set next_attempt_at = now() where id = ?', [first!]);
    await claimInboundMany(forkEm(db), [first!]);
    await failInboundMany(forkEm(db), [first!], { channel: null, error: 'the plugin failed' });
    const [again] = await nextTry([first!]);
    expect(again!.in_s).toBeGreaterThan(8);
    expect(again!.in_s).toBeLessThanOrEqual(10);
  });
});
