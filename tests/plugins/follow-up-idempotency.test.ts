import { forkEm } from '@docket/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFollowUp } from '../../server/src/plugins/plugin-people.ts';
import { startChannelServer } from '../channels/channel-fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { createTicket, orgUnitId, userId } from '../sla/sla-fixtures.ts';

/**
 * A plugin's follow-up ticket opens once per key: a repeated call (a plugin re-run after a crash)
 * answers the follow-up already opened, two calls at once open one, and a failure part-way
 * (after the follow-up is written, before the followed ticket's timeline names it) leaves
 * nothing, so the retry opens exactly one.
 */

type Row = Record<string, any>;

describe(`follow-up tickets opened by plugins are idempotent (${databaseKind()})`, () => {
  let s: Awaited<ReturnType<typeof startChannelServer>>;
  let original: { id: string; number: string };
  let manager: number;

  beforeAll(async () => {
    s = await startChannelServer(['sla_actions']);
    const agent = await s.login('agent.a@docket.local');
    manager = await userId(s, 'manager.north@docket.local');
    original = await createTicket(s, agent, {
      templateKey: 'product-a-fault',
      title: 'Unit A-21 rattles',
      channel: 'phone',
      orgUnitId: await orgUnitId(s, 'Store A'),
      formData: { serialNumber: 'A-0021', symptom: 'Rattles' },
    });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  const open = (title: string, key?: string, services = s.app.services) =>
    openFollowUp(services, forkEm(s.app.services.db), {
      plugin: 'sla_actions',
      ticket: { id: original.id } as never,
      followUp: { forUserId: manager, title, ...(key ? { key } : {}) },
    });
  const followUps = (title: string) =>
    s.sql<Row>(
      "select id::text from ticket where title = ? and custom_fields->>'followUpOf' = ? order by id",
      [title, original.number],
    );
  const notesOnOriginal = async () =>
    (
      await s.sql<Row>(
        "select count(*)::int as n from ticket_event where ticket_id = ? and kind = 'ticket.follow_up'",
        [original.id],
      )
    )[0]!.n;

  it('a repeated call answers the follow-up it opened', async () => {
    const first = await open('Check on A-21');
    const again = await open('Check on A-21');
    expect(again).toBe(first);
    expect(await followUps('Check on A-21')).toEqual([{ id: first }]);
    expect(await notesOnOriginal()).toBe(1);
    // Another key (or title) is another follow-up.
    const other = await open('Check on A-21', 'second-breach');
    expect(other).not.toBe(first);
    expect(await notesOnOriginal()).toBe(2);
  });

  it('two calls at once with one key open one follow-up', async () => {
    const [a, b] = await Promise.all([open('At once', 'race'), open('At once', 'race')]);
    expect(a).toBe(b);
    expect(await followUps('At once')).toEqual([{ id: a }]);
    expect(await notesOnOriginal()).toBe(3);
  });

  it('a failure between writing the follow-up and noting it on the followed ticket leaves nothing; the retry opens one', async () => {
    const services = s.app.services;
    // The ticket store as it is, except that the last step dies.
    const dying = Object.create(services.tickets, {
      append: {
        value: async () => {
          throw new Error('the process died here');
        },
      },
    });
    await expect(open('Crash midway', 'crash', { ...services, tickets: dying })).rejects.toThrow(
      'the process died here',
    );
    expect(await followUps('Crash midway')).toEqual([]);
    expect(await s.sql<Row>("select * from plugin_follow_up where key = 'crash'")).toEqual([]);
    expect(await notesOnOriginal()).toBe(3);
    const retried = await open('Crash midway', 'crash');
    expect(await followUps('Crash midway')).toEqual([{ id: retried }]);
    expect(await notesOnOriginal()).toBe(4);
  });
});
