import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';
import { type FetchHostRule, fetchRuleMatches } from '@docket/core';
import type { FetchRequest, FetchResult } from '../types.ts';

/** Why a fetch was refused or failed; `code` reaches the plugin as its error's code. */
export class FetchRefused extends Error {
  readonly code: 'CAPABILITY_DENIED' | 'FETCH_FAILED' | 'FETCH_TOO_LARGE' | 'FETCH_TIMEOUT';
  constructor(code: FetchRefused['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/** Addresses a plugin may reach only by naming them exactly (an IP literal on its allowlist). */
const privateAddresses = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  privateAddresses.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  privateAddresses.addSubnet(net, prefix, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return privateAddresses.check(mapped[1]!, 'ipv4');
    return privateAddresses.check(address, 'ipv6');
  }
  return privateAddresses.check(address, 'ipv4');
}

const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'proxy-authorization',
  'te',
  'trailer',
]);
const MAX_REDIRECTS = 5;

/** Where one hop of a fetch goes: the network (after the address checks) or the server's stand-in. */
export type FetchTransport = (
  request: FetchRequest,
  options: { timeoutMs: number; maxBytes: number },
) => Promise<FetchResult>;

/**
 * Fetches for a plugin: every URL, the first and each redirect's, must match an allowlist rule;
 * redirects are followed here (at most 5) so none can leave the list. Fails with FetchRefused.
 */
export async function guardedFetch(input: {
  request: FetchRequest;
  rules: readonly FetchHostRule[];
  transport: FetchTransport;
  timeoutMs: number;
  maxBytes: number;
}): Promise<FetchResult> {
  let request = input.request;
  const deadline = Date.now() + input.timeoutMs;
  for (let hop = 0; ; hop++) {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new FetchRefused('FETCH_FAILED', `"${request.url.slice(0, 200)}" is not a URL`);
    }
    if (url.username || url.password)
      throw new FetchRefused('CAPABILITY_DENIED', 'a URL with a user name or password is not fetched');
    if (!input.rules.some((r) => fetchRuleMatches(r, url)))
      throw new FetchRefused(
        'CAPABILITY_DENIED',
        `${url.protocol}//${url.host} is not on this plugin's fetch list${hop > 0 ? ` (a redirect led there from ${input.request.url.slice(0, 200)})` : ''}`,
      );
    const timeoutMs = deadline - Date.now();
    if (timeoutMs <= 0) throw new FetchRefused('FETCH_TIMEOUT', 'the fetch ran out of time');
    const result = await input.transport(request, { timeoutMs, maxBytes: input.maxBytes });
    const location = result.headers.location;
    if (result.status >= 300 && result.status < 400 && location !== undefined) {
      if (hop >= MAX_REDIRECTS)
        throw new FetchRefused('FETCH_FAILED', `more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url).toString();
      const keepsBody = result.status === 307 || result.status === 308;
      request = {
        url: next,
        method: keepsBody ? request.method : request.method === 'HEAD' ? 'HEAD' : 'GET',
        headers: request.headers,
        ...(keepsBody && request.body !== undefined ? { body: request.body } : {}),
      };
      continue;
    }
    return result;
  }
}

/**
 * The network transport: resolves the host, refuses names that lead to private or loopback
 * addresses (an IP literal on the list is allowed as written: the allowlist named it exactly),
 * connects to the address it checked (no second lookup to rebind), and caps time and size.
 */
export const networkTransport: FetchTransport = async (request, { timeoutMs, maxBytes }) => {
  const url = new URL(request.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let address: string;
  let family: 4 | 6;
  if (isIP(host) !== 0) {
    address = host;
    family = isIP(host) as 4 | 6;
  } else {
    let found: { address: string; family: number }[];
    try {
      found = await lookup(host, { all: true });
    } catch (e) {
      throw new FetchRefused('FETCH_FAILED', `${host} could not be resolved (${(e as Error).message})`);
    }
    const bad = found.find((a) => isPrivateAddress(a.address));
    if (bad || found.length === 0)
      throw new FetchRefused(
        'CAPABILITY_DENIED',
        `${host} resolves to a private or loopback address (${bad?.address ?? 'none'}); only an IP address listed exactly may be reached that way`,
      );
    address = found[0]!.address;
    family = found[0]!.family === 6 ? 6 : 4;
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers))
    if (!DROPPED_REQUEST_HEADERS.has(k.toLowerCase())) headers[k] = v;
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
  if (body) headers['content-length'] = String(body.length);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise<FetchResult>((resolve, reject) => {
    const req = lib.request(
      {
        protocol: url.protocol,
        hostname: host,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers,
        servername: isIP(host) === 0 ? host : undefined,
        agent: false,
        lookup: ((
          _h: string,
          opts: { all?: boolean },
          cb: (err: Error | null, a: string | { address: string; family: number }[], f?: number) => void,
        ) => (opts.all ? cb(null, [{ address, family }]) : cb(null, address, family))) as never,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxBytes) {
            req.destroy(new FetchRefused('FETCH_TOO_LARGE', `the response is larger than ${maxBytes} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (e) =>
          reject(e instanceof FetchRefused ? e : new FetchRefused('FETCH_FAILED', e.message)),
        );
        res.on('end', () => {
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headers: out,
            body: Buffer.concat(chunks).toString('utf8'),
            url: request.url,
          });
        });
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new FetchRefused('FETCH_TIMEOUT', `no answer within ${timeoutMs} ms`)),
    );
    req.on('error', (e) =>
      reject(e instanceof FetchRefused ? e : new FetchRefused('FETCH_FAILED', e.message)),
    );
    req.end(body);
  });
};
