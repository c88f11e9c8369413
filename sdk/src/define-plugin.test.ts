import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  defineChannel,
  defineNodeType,
  defineNotificationTarget,
  defineSlaAction,
  type NodeRunInput,
  type NodeRunResult,
} from './contributions.ts';
import { checkPluginManifest, type FromSchema } from './core.ts';
import { definePlugin } from './define-plugin.ts';
import type { TicketHostApi } from './host-api.ts';

const lookup = defineNodeType({
  type: 'parcel.lookup',
  version: 2,
  title: 'Look up a parcel',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['carrier', 'retries'],
    properties: {
      carrier: { type: 'string', enum: ['sf', 'ems'] },
      retries: { type: 'integer' },
      note: { type: 'string' },
    },
  },
  defaultConfig: { carrier: 'sf', retries: 1 },
  ports: {
    hasInput: true,
    outputs: [
      { id: 'delivered', label: 'Delivered' },
      { id: 'moving', label: 'Moving' },
    ],
  },
  migrations: [
    { version: 2, description: 'retries became required', up: (c) => ({ retries: 1, ...(c as object) }) },
  ],
  run: ({ config }) => ({
    port: config.carrier === 'sf' ? 'delivered' : 'moving',
    outputs: { c: config.carrier },
  }),
});

const post = defineSlaAction({
  name: 'post_to_chat',
  title: 'Post to chat',
  configSchema: { type: 'object', required: ['room'], properties: { room: { type: 'string' } } },
  run: async ({ config }) => ({ note: `posted to ${config.room}` }),
});

const sms = defineNotificationTarget({
  name: 'sms',
  title: 'SMS',
  titles: { 'zh-CN': '短信' },
  addressKind: 'phone number',
  configSchema: { type: 'object', properties: { sender: { type: 'string' } } },
  deliver: ({ recipients }) => ({
    results: recipients.map((r) => ({ recipientId: r.id, status: 'sent' as const })),
  }),
});

const chat = defineChannel({
  name: 'chat',
  title: 'Chat',
  inbound: { http: { methods: ['POST'] } },
  receive: () => ({ action: 'ignore', reason: 'test' }),
  send: () => ({ externalId: 'x' }),
});

describe('type inference', () => {
  it('a node type’s config comes from its configSchema and its ports from ports', () => {
    type Run = Parameters<typeof lookup.run>;
    expectTypeOf<Run[0]['config']>().toEqualTypeOf<{
      carrier: 'sf' | 'ems';
      retries: number;
      note?: string;
    }>();
    expectTypeOf<Run[1]>().toEqualTypeOf<TicketHostApi>();
    expectTypeOf<ReturnType<typeof lookup.run>>().toEqualTypeOf<
      NodeRunResult<'delivered' | 'moving'> | Promise<NodeRunResult<'delivered' | 'moving'>>
    >();
    defineNodeType({
      type: 'parcel.bad',
      version: 1,
      title: 'Bad',
      category: 'action',
      configSchema: { type: 'object', properties: {} },
      defaultConfig: {},
      ports: { hasInput: true, outputs: [{ id: 'ok', label: 'OK' }] },
      // @ts-expect-error: "nope" is not one of its ports
      run: () => ({ port: 'nope' }),
    });
  });

  it('a wrong default config is a type error', () => {
    expect(() =>
      defineNodeType({
        type: 'parcel.typed',
        version: 1,
        title: 'Typed',
        category: 'action',
        configSchema: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
        // @ts-expect-error: n must be a number
        defaultConfig: { n: 'one' },
        ports: { hasInput: true, outputs: [] },
        run: () => ({}),
      }),
    ).not.toThrow();
  });

  it('SLA actions, targets and plugin config are inferred too', () => {
    expectTypeOf<Parameters<typeof post.run>[0]['config']>().toEqualTypeOf<{ room: string }>();
    expectTypeOf<Parameters<typeof sms.deliver>[0]['config']>().toEqualTypeOf<{ sender?: string }>();
    const p = definePlugin({
      name: 'parcel',
      version: '1.0.0',
      displayName: 'Parcel',
      config: { type: 'object', properties: { token: { type: 'string', 'x-secret': true } } },
      contributes: {},
    });
    expectTypeOf(p.configType).toEqualTypeOf<{ token?: string } | undefined>();
    expectTypeOf<NodeRunInput<FromSchema<{ type: 'string' }>>['config']>().toEqualTypeOf<string>();
  });
});

describe('definePlugin', () => {
  const plugin = definePlugin({
    name: 'parcel',
    version: '1.2.0',
    displayName: 'Parcel',
    permissions: { fetch: ['api.parcels.example'], ticket: 'patch' },
    config: { type: 'object', properties: { token: { type: 'string', 'x-secret': true } } },
    contributes: { nodeTypes: [lookup], slaActions: [post], notificationTargets: [sms], channels: [chat] },
  });

  it('makes a plain-JSON manifest the server accepts, and a handler per contribution', () => {
    expect(JSON.parse(JSON.stringify(plugin.manifest))).toEqual(plugin.manifest);
    expect(checkPluginManifest(plugin.manifest)).toEqual([]);
    expect(plugin.manifest.contributes.nodeTypes[0]).toMatchObject({
      type: 'parcel.lookup',
      version: 2,
      migrations: [{ version: 2, description: 'retries became required' }],
    });
    expect(plugin.manifest.contributes.channels[0]).toEqual({
      name: 'chat',
      title: 'Chat',
      inbound: { http: { methods: ['POST'] } },
      canSend: true,
    });
    expect(plugin.manifest.contributes.notificationTargets[0]).toEqual({
      name: 'sms',
      title: 'SMS',
      titles: { 'zh-CN': '短信' },
      addressKind: 'phone number',
      configSchema: { type: 'object', properties: { sender: { type: 'string' } } },
    });
    expect(Object.keys(plugin.handlers).sort()).toEqual([
      'channel-inbound:chat',
      'channel-send:chat',
      'node-migrate:parcel.lookup',
      'node:parcel.lookup',
      'notify:sms',
      'sla:post_to_chat',
    ]);
  });

  it('its handlers normalise what the plugin returns and run migrations', async () => {
    const run = plugin.handlers['node:parcel.lookup'] as (a: unknown, c: unknown) => unknown;
    expect(run({ config: { carrier: 'ems', retries: 1 } }, {})).toEqual({
      port: 'moving',
      outputs: { c: 'ems' },
    });
    const migrate = plugin.handlers['node-migrate:parcel.lookup'] as (a: unknown) => unknown;
    expect(migrate({ config: { carrier: 'sf' }, fromVersion: 1 })).toEqual({ retries: 1, carrier: 'sf' });
    const sla = plugin.handlers['sla:post_to_chat'] as (a: unknown, c: unknown) => Promise<unknown>;
    expect(await sla({ config: { room: 'ops' } }, {})).toEqual({ note: 'posted to ops' });
  });

  it('refuses a node type not namespaced by the plugin, naming where', () => {
    expect(() =>
      definePlugin({
        name: 'other',
        version: '1.0.0',
        displayName: 'Other',
        contributes: { nodeTypes: [lookup] },
      }),
    ).toThrow(
      /\/contributes\/nodeTypes\/0\/type: A plugin's node type is namespaced by the plugin: "other\.<name>"/,
    );
    expect(() =>
      definePlugin({ name: 'Bad-Name', version: 'one', displayName: 'x', contributes: {} }),
    ).toThrow(/\/name: .*\n.*\/version: version must be a semantic version/);
  });
});
