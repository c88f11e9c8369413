import { describe, expect, it } from 'vitest';
import { readConfig } from './config.ts';

describe('readConfig', () => {
  it('takes the defaults from an empty environment', () => {
    expect(readConfig({ DOCKET_TIME_ZONE: 'UTC' })).toMatchObject({
      port: 4000,
      maxBodyBytes: 1_000_000,
      sessionTtlSeconds: 43_200,
      loadExamples: true,
      preparedStatements: true,
      writeBatch: 64,
      writeStatements: 2,
      pgliteIdleInTransactionMs: 60_000,
      timeZone: 'UTC',
    });
  });

  it('serves another build of the web app from DOCKET_WEB_APP_DIR, as an absolute path', () => {
    expect(readConfig({}).webAppDir).toBeUndefined();
    expect(readConfig({ DOCKET_WEB_APP_DIR: 'build/app' }).webAppDir).toBe(`${process.cwd()}/build/app`);
  });

  it('reads switches as on or off, in any case', () => {
    expect(readConfig({ DOCKET_EXAMPLES: 'OFF', DOCKET_PREPARED_STATEMENTS: 'on' })).toMatchObject({
      loadExamples: false,
      preparedStatements: true,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number between 0 and 65535, not "abc".'],
    [{ DOCKET_SESSION_TTL: 'abc' }, 'DOCKET_SESSION_TTL must be a whole number of at least 1, not "abc".'],
    [
      { DOCKET_MAX_BODY_BYTES: '1MB' },
      'DOCKET_MAX_BODY_BYTES must be a whole number of at least 1, not "1MB".',
    ],
    [{ DOCKET_WRITE_BATCH: '1.5' }, 'DOCKET_WRITE_BATCH must be a whole number of at least 1, not "1.5".'],
    [
      { DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS: '60s' },
      'DOCKET_PGLITE_IDLE_IN_TRANSACTION_MS must be a whole number of at least 1, not "60s".',
    ],
    [{ DOCKET_EXAMPLES: 'maybe' }, 'DOCKET_EXAMPLES must be "on" or "off", not "maybe".'],
    [{ DOCKET_PREPARED_STATEMENTS: 'nope' }, 'DOCKET_PREPARED_STATEMENTS must be "on" or "off", not "nope".'],
    [
      { DOCKET_TIME_ZONE: 'Mars/Base' },
      'DOCKET_TIME_ZONE must be an IANA time zone such as "Asia/Shanghai" or "UTC", not "Mars/Base".',
    ],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
