import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPlugin } from '@docket/sdk/testing';

const settings = { config: {}, secrets: { apiKey: 'parcel-key', chatToken: 'chat-token' } };

test('a delivered parcel: the ticket gets its status and the step leaves by "delivered"', async (t) => {
  const plugin = await loadPlugin(settings);
  t.after(() => plugin.close());
  plugin.respond('https://api.parcels.example/v1/parcels/SF123', {
    json: { status: 'delivered', location: 'Shanghai' },
  });

  const result = await plugin.runNode(
    'parcel.lookup',
    { config: { trackingField: 'logistics.trackingNumber' } },
    { ticket: { id: '42', formData: { logistics: { trackingNumber: 'SF123' } } } },
  );

  assert.deepEqual(result, {
    port: 'delivered',
    outputs: { trackingNumber: 'SF123', status: 'delivered', location: 'Shanghai' },
  });
  assert.deepEqual(
    plugin.recorded.fetches.map((f) => [f.url, f.headers.authorization]),
    [['https://api.parcels.example/v1/parcels/SF123', 'Bearer parcel-key']],
  );
  assert.deepEqual(plugin.recorded.ticketPatches, [{ ticketId: '42', patch: { parcelStatus: 'delivered' } }]);
});

test('a parcel the service does not know leaves by "unknown" and changes nothing', async (t) => {
  const plugin = await loadPlugin(settings);
  t.after(() => plugin.close());
  plugin.respond(/\/v1\/parcels\//, { status: 404, body: 'no such parcel' });

  const result = await plugin.runNode(
    'parcel.lookup',
    { config: { trackingField: 'trackingNumber' } },
    { ticket: { id: '7', formData: { trackingNumber: 'XX1' } } },
  );

  assert.deepEqual(result, {
    port: 'unknown',
    outputs: { trackingNumber: 'XX1', status: 'not_found', location: null },
  });
  assert.deepEqual(plugin.recorded.ticketPatches, []);
});

test('a failing parcel service fails the step with its status', async (t) => {
  const plugin = await loadPlugin(settings);
  t.after(() => plugin.close());
  plugin.respond(/\/v1\/parcels\//, { status: 503, body: 'down' });

  await assert.rejects(
    plugin.runNode(
      'parcel.lookup',
      { config: { trackingField: 'trackingNumber' } },
      {
        ticket: { id: '7', formData: { trackingNumber: 'SF1' } },
      },
    ),
    /the parcel service answered 503/,
  );
});

test('the SLA action posts the breach to the chat room', async (t) => {
  const plugin = await loadPlugin(settings);
  t.after(() => plugin.close());
  plugin.respond('https://chat.example.com/rooms/after-sales/messages', { json: { id: 'm1' } });

  const result = await plugin.runSlaAction(
    'post_to_chat',
    {
      config: { room: 'after-sales' },
      event: {
        metric: 'first_response',
        target: { amount: 30, unit: 'minutes', time: 'business' },
        offsetMinutes: 0,
        dueAt: '2026-11-30T02:30:00.000Z',
        firedAt: '2026-11-30T02:30:00.000Z',
        isBreached: true,
      },
    },
    { ticket: { id: '42', number: 'RT-1', title: 'Kettle leaks' } },
  );

  assert.deepEqual(result, { note: 'posted to after-sales' });
  const [post] = plugin.recorded.fetches;
  assert.equal(post?.method, 'POST');
  assert.equal(post?.headers.authorization, 'Bearer chat-token');
  assert.deepEqual(JSON.parse(post?.body ?? '{}'), {
    text: 'RT-1 "Kettle leaks": First response breached at 2026-11-30T02:30:00.000Z',
  });
});
