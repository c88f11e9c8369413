import { describe, expect, it } from 'vitest';
import {
  checkPluginManifest,
  effectivePermissions,
  expandConfigFetchRules,
  fetchRuleMatches,
  handlerNamesOf,
  type PluginManifest,
  parseFetchHostRule,
  secretConfigKeys,
  splitPluginConfig,
} from './plugin-manifest.ts';

const manifest = (): PluginManifest => ({
  manifestVersion: 1,
  name: 'parcel',
  version: '1.0.0',
  displayName: 'Parcel',
  permissions: { fetch: ['api.parcels.example'], ticket: 'patch' },
  config: {
    type: 'object',
    properties: { token: { type: 'string', 'x-secret': true }, room: { type: 'string' } },
  },
  contributes: {
    nodeTypes: [
      {
        type: 'parcel.lookup',
        version: 2,
        title: 'Look up',
        category: 'action',
        configSchema: { type: 'object', properties: {} },
        defaultConfig: {},
        ports: { hasInput: true, outputs: [{ id: 'done', label: 'Done' }] },
        isWaiting: false,
        migrations: [{ version: 2, description: 'x' }],
      },
    ],
    slaActions: [{ name: 'post', title: 'Post', configSchema: { type: 'object' } }],
    notificationTargets: [],
    channels: [{ name: 'chat', title: 'Chat', inbound: { poll: { intervalSeconds: 60 } }, canSend: true }],
  },
});

describe('fetch allowlist rules', () => {
  it('parses host names, wildcards, ports and exact IP addresses', () => {
    expect(parseFetchHostRule('API.example.com')).toMatchObject({
      protocol: 'https:',
      host: 'api.example.com',
      port: 443,
      isWildcard: false,
    });
    expect(parseFetchHostRule('*.example.com')).toMatchObject({ host: 'example.com', isWildcard: true });
    expect(parseFetchHostRule('https://api.example.com:8443')).toMatchObject({ port: 8443 });
    expect(parseFetchHostRule('http://127.0.0.1:8080')).toMatchObject({
      protocol: 'http:',
      host: '127.0.0.1',
      port: 8080,
    });
    expect(parseFetchHostRule('http://[::1]:9000')).toMatchObject({ host: '::1', port: 9000 });
  });

  it('refuses what would be too broad or is not a host, saying how to write it', () => {
    expect(parseFetchHostRule('127.0.0.1')).toMatch(/must be written with its scheme and port/);
    expect(parseFetchHostRule('*.1.2.3.4')).toMatch(/wildcard cannot cover an IP/);
    expect(parseFetchHostRule('http://api.example.com')).toMatch(
      /plain http must be written with its scheme and port/,
    );
    expect(parseFetchHostRule('https://api.example.com/path')).toMatch(/not a URL with a path/);
    expect(parseFetchHostRule('ftp://x.example.com')).toMatch(/only http and https/);
    expect(parseFetchHostRule('com')).toMatch(/full host name/);
    expect(parseFetchHostRule('*.com')).toMatch(/full host name|wildcard needs a domain/);
  });

  it('matches scheme, host and port exactly, and subdomains only for wildcards', () => {
    const exact = parseFetchHostRule('api.example.com');
    const wild = parseFetchHostRule('*.example.com');
    const local = parseFetchHostRule('http://127.0.0.1:8080');
    if (typeof exact === 'string' || typeof wild === 'string' || typeof local === 'string')
      throw new Error('parse');
    expect(fetchRuleMatches(exact, new URL('https://api.example.com/x'))).toBe(true);
    expect(fetchRuleMatches(exact, new URL('http://api.example.com/x'))).toBe(false);
    expect(fetchRuleMatches(exact, new URL('https://api.example.com:444/x'))).toBe(false);
    expect(fetchRuleMatches(exact, new URL('https://evil-api.example.com/x'))).toBe(false);
    expect(fetchRuleMatches(wild, new URL('https://a.b.example.com/'))).toBe(true);
    expect(fetchRuleMatches(wild, new URL('https://example.com/'))).toBe(false);
    expect(fetchRuleMatches(wild, new URL('https://example.com.evil.net/'))).toBe(false);
    expect(fetchRuleMatches(local, new URL('http://127.0.0.1:8080/a'))).toBe(true);
    expect(fetchRuleMatches(local, new URL('http://127.0.0.1:8081/a'))).toBe(false);
    expect(fetchRuleMatches(local, new URL('http://localhost:8080/a'))).toBe(false);
  });
});

describe('effectivePermissions', () => {
  it('gives what both the manifest requests and the admin grants', () => {
    expect(
      effectivePermissions(
        { fetch: ['api.example.com', 'other.example.com'], kv: true, ticket: 'patch' },
        { fetch: ['API.example.com', 'not-requested.example.com'], ticket: 'read' },
      ),
    ).toEqual({ fetch: ['api.example.com'], ticket: 'read' });
    expect(effectivePermissions({}, { fetch: ['api.example.com'], kv: true, ticket: 'patch' })).toEqual({});
  });

  it('gives org, notify and followUps only when both name them', () => {
    expect(
      effectivePermissions(
        { org: true, notify: true, followUps: true },
        { org: true, followUps: true, kv: true },
      ),
    ).toEqual({ org: true, followUps: true });
  });
});

describe('config secrets', () => {
  it('splits the x-secret settings from the rest', () => {
    const m = manifest();
    expect(secretConfigKeys(m.config)).toEqual(['token']);
    expect(splitPluginConfig(m.config, { token: 'abc', room: 'ops' })).toEqual({
      config: { room: 'ops' },
      secrets: { token: 'abc' },
    });
  });
});

describe('checkPluginManifest', () => {
  it('accepts a well-formed manifest and names its handlers', () => {
    expect(checkPluginManifest(manifest())).toEqual([]);
    expect(handlerNamesOf(manifest())).toEqual([
      'node:parcel.lookup',
      'node-migrate:parcel.lookup',
      'sla:post',
      'channel-inbound:chat',
      'channel-poll:chat',
      'channel-send:chat',
    ]);
  });

  it('names every problem by its JSON pointer', () => {
    const m = manifest() as unknown as Record<string, any>;
    m.name = 'Parcel!';
    m.version = 'v1';
    m.permissions = { fetch: ['127.0.0.1'], sockets: true };
    m.contributes.nodeTypes[0].type = 'other.lookup';
    m.contributes.nodeTypes[0].migrations = [];
    m.contributes.slaActions.push({ name: 'post', title: 'Again', configSchema: { type: 'object' } });
    m.contributes.channels[0].inbound = { http: { methods: ['TRACE'] } };
    const paths = checkPluginManifest(m).map((e) => e.path);
    expect(paths).toEqual([
      '/name',
      '/version',
      '/permissions/sockets',
      '/permissions/fetch/0',
      '/contributes/nodeTypes/0/type',
      '/contributes/nodeTypes/0/migrations',
      '/contributes/slaActions/1/name',
      '/contributes/channels/0/inbound/http/methods',
    ]);
    expect(checkPluginManifest(null)).toEqual([
      { path: '', code: 'invalid', message: 'The manifest must be a JSON object.' },
    ]);
  });
});

describe("a channel's titles in other languages", () => {
  it('takes a title per language Docket shows, and names a wrong one', () => {
    const m = manifest();
    const channel = m.contributes.channels[0] as { titles?: unknown };
    channel.titles = { 'zh-CN': '聊天' };
    expect(checkPluginManifest(m)).toEqual([]);
    channel.titles = {
      fr: 'Discussion',
      en: ' ',
      'zh-CN': 'x'.repeat(101),
    };
    expect(checkPluginManifest(m)).toEqual([
      {
        path: '/contributes/channels/0/titles/fr',
        code: 'invalid',
        message: '"fr" is not a language Docket shows; use en or zh-CN.',
      },
      {
        path: '/contributes/channels/0/titles/en',
        code: 'required',
        message: 'The en title is required (a non-empty string).',
      },
      {
        path: '/contributes/channels/0/titles/zh-CN',
        code: 'too_long',
        message: 'The zh-CN title is 101 characters; at most 100.',
      },
    ]);
    channel.titles = '聊天';
    expect(checkPluginManifest(m).map((e) => e.path)).toEqual(['/contributes/channels/0/titles']);
  });
});

describe("a notification target's titles in other languages", () => {
  it('takes them as a channel does, checked the same way', () => {
    const m = manifest();
    m.contributes.notificationTargets = [
      {
        name: 'pager',
        title: 'Pager',
        titles: { 'zh-CN': '寻呼机' },
        addressKind: 'phone',
        configSchema: { type: 'object', properties: {} },
      },
    ];
    expect(checkPluginManifest(m)).toEqual([]);
    const target = m.contributes.notificationTargets[0] as { titles?: unknown };
    target.titles = { fr: 'Bipeur', 'zh-CN': '' };
    expect(checkPluginManifest(m).map((e) => [e.path, e.code])).toEqual([
      ['/contributes/notificationTargets/0/titles/fr', 'invalid'],
      ['/contributes/notificationTargets/0/titles/zh-CN', 'required'],
    ]);
    target.titles = ['寻呼机'];
    expect(checkPluginManifest(m).map((e) => e.path)).toEqual(['/contributes/notificationTargets/0/titles']);
  });
});

describe('fetch entries that name a setting, and the mail permission', () => {
  it('turn into the hosts of the URLs the admin set there', () => {
    expect(
      expandConfigFetchRules(['api.example.com', 'config:gatewayUrl', 'config:robots', 'config:missing'], {
        gatewayUrl: 'http://127.0.0.1:4101/sms',
        robots: [
          { kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=x' },
          { kind: 'feishu', url: 'https://open.feishu.cn/open-apis/bot/v2/hook/y' },
          { kind: 'bad', url: 'ftp://files.example.com/' },
          { kind: 'also', callbackUrl: 'https://partner.example.com:8443/cb' },
        ],
      }),
    ).toEqual([
      'api.example.com',
      'http://127.0.0.1:4101',
      'https://oapi.dingtalk.com:443',
      'https://open.feishu.cn:443',
      'https://partner.example.com:8443',
    ]);
  });
  it('are granted only when both name them the same way, as mail is', () => {
    expect(
      effectivePermissions(
        { fetch: ['config:robots', 'config:other'], mail: true },
        { fetch: ['config:robots'], mail: true },
      ),
    ).toEqual({ fetch: ['config:robots'], mail: true });
    expect(effectivePermissions({ mail: true }, {})).toEqual({});
    const m = manifest();
    m.permissions = { fetch: ['config:gatewayUrl', 'config:'], mail: true };
    expect(checkPluginManifest(m).map((e) => e.path)).toEqual(['/permissions/fetch/1']);
  });
});
