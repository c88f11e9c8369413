import { fieldError, ValidationFailed } from '@docket/core';
import type { EntityManager } from '@docket/db';
import { clearFailures, countFailure, lockedKeys } from './auth-repository.ts';

/**
 * Failed logins are counted per account (its email, known or not, so that the answer tells
 * nothing about which exist) and per address, in PostgreSQL so that every server process counts
 * alike. An account or address that fails too often within the window is refused, without a
 * password check, until its lock ends. Every attempt is logged.
 */
export type ThrottleSettings = {
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
  lockSeconds: number;
};

export const DEFAULT_THROTTLE: ThrottleSettings = {
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 50,
  windowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
};

/** The server's log (services.log). */
type Log = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

export type LoginAttempt = { kind: 'user' | 'customer'; email: string; address: string };

const keysOf = (a: LoginAttempt) => ({
  account: `account:${a.kind}:${a.email.trim().toLowerCase()}`,
  address: `address:${a.address}`,
});

export class LoginThrottle {
  constructor(
    private readonly log: Log,
    private readonly settings: ThrottleSettings = DEFAULT_THROTTLE,
  ) {}

  /** Refuses an attempt while its account or address is locked. */
  async check(em: EntityManager, attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt);
    const locked = await lockedKeys(em, [keys.account, keys.address]);
    if (locked.length === 0) return;
    const minutes = Math.max(1, Math.ceil(Math.max(...locked.map((l) => l.seconds)) / 60));
    this.log('warn', 'login refused: too many failures', {
      kind: attempt.kind,
      email: attempt.email,
      address: attempt.address,
      locked: locked.map((l) => l.key.split(':')[0]),
    });
    throw new ValidationFailed(
      [
        fieldError(
          '/email',
          'too_many_attempts',
          `Too many failed logins for this account or from this address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        ),
      ],
      'Login refused for now.',
    );
  }

  async failed(em: EntityManager, attempt: LoginAttempt): Promise<void> {
    const keys = keysOf(attempt);
    this.log('warn', 'login failed', { kind: attempt.kind, email: attempt.email, address: attempt.address });
    const s = this.settings;
    await countFailure(
      em,
      [
        { key: keys.account, limit: s.maxFailuresPerAccount },
        { key: keys.address, limit: s.maxFailuresPerAddress },
      ],
      s.windowSeconds,
      s.lockSeconds,
    );
  }

  async succeeded(em: EntityManager, attempt: LoginAttempt): Promise<void> {
    this.log('info', 'login', { kind: attempt.kind, email: attempt.email, address: attempt.address });
    await clearFailures(em, keysOf(attempt).account);
  }
}
