import { type FetchHostRule, parseFetchHostRule } from '@docket/core';
import { describe, expect, it } from 'vitest';
import type { FetchRequest, FetchResult } from '../types.ts';
import { FetchRefused, guardedFetch, isPrivateAddress } from './guarded-fetch.ts';

const rules = ['api.example.com', 'http://127.0.0.1:9000'].map((e) => parseFetchHostRule(e) as FetchHostRule);

describe('isPrivateAddress', () => {
  it('knows loopback, private, link-local, mapped and public addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '0.0.0.0',
      '::1',
      'fd00::1',
      'fe80::1',
      '::ffff:10.0.0.1',
    ])
      expect(isPrivateAddress(a), a).toBe(true);
    for (const a of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(a), a).toBe(false);
  });
});

describe('guardedFetch', () => {
  const answer = (map: Record<string, Partial<FetchResult>>) => {
    const seen: FetchRequest[] = [];
    const transport = async (r: FetchRequest): Promise<FetchResult> => {
      seen.push(r);
      return { status: 200, statusText: 'OK', headers: {}, body: '', url: r.url, ...map[r.url] };
    };
    return { seen, transport };
  };

  it('follows redirects that stay on the list, turning a POST into a GET on 302', async () => {
    const t = answer({
      'https://api.example.com/a': { status: 302, headers: { location: '/b' } },
      'https://api.example.com/b': { body: 'done' },
    });
    const r = await guardedFetch({
      request: { url: 'https://api.example.com/a', method: 'POST', headers: {}, body: 'x' },
      rules,
      transport: t.transport,
      timeoutMs: 1000,
      maxBytes: 100,
    });
    expect(r.body).toBe('done');
    expect(t.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', 'https://api.example.com/a', 'x'],
      ['GET', 'https://api.example.com/b', undefined],
    ]);
  });

  it('refuses a redirect off the list before making it', async () => {
    const t = answer({
      'https://api.example.com/a': { status: 301, headers: { location: 'http://169.254.169.254/latest' } },
    });
    const e = await guardedFetch({
      request: { url: 'https://api.example.com/a', method: 'GET', headers: {} },
      rules,
      transport: t.transport,
      timeoutMs: 1000,
      maxBytes: 100,
    }).catch((x: FetchRefused) => x);
    expect(e).toBeInstanceOf(FetchRefused);
    expect(e).toMatchObject({ code: 'CAPABILITY_DENIED' });
    expect(t.seen).toHaveLength(1);
  });

  it('refuses user names in URLs and endless redirects', async () => {
    const loop = answer({ 'https://api.example.com/a': { status: 302, headers: { location: '/a' } } });
    const base = { rules, timeoutMs: 1000, maxBytes: 100 };
    await expect(
      guardedFetch({
        ...base,
        transport: loop.transport,
        request: { url: 'https://u:p@api.example.com/', method: 'GET', headers: {} },
      }),
    ).rejects.toMatchObject({ code: 'CAPABILITY_DENIED' });
    await expect(
      guardedFetch({
        ...base,
        transport: loop.transport,
        request: { url: 'https://api.example.com/a', method: 'GET', headers: {} },
      }),
    ).rejects.toThrow(/more than 5 redirects/);
  });
});
