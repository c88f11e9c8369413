import { type FieldError, fieldError } from '@docket/core';
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 200;

export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(
  passwordHash: string | null | undefined,
  password: string,
): Promise<boolean> {
  if (!passwordHash) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** The server's password rules, as field errors at `path`. */
export function passwordErrors(password: string | null | undefined, path = '/password'): FieldError[] {
  if (password == null) return [];
  if (password.length < MIN_PASSWORD_LENGTH)
    return [fieldError(path, 'too_short', `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`)];
  if (password.length > MAX_PASSWORD_LENGTH)
    return [fieldError(path, 'too_long', `A password has at most ${MAX_PASSWORD_LENGTH} characters.`)];
  if (!password.trim()) return [fieldError(path, 'blank', 'A password cannot be only spaces.')];
  return [];
}
