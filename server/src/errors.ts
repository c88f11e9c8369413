import { ValidationFailed } from '@docket/core';

/** Errors that reach the client as typed GraphQL results: each says what to fix. */
export { ValidationFailed };

export class NotFoundError extends Error {
  readonly path: string;
  constructor(what: string, path = '') {
    super(`${what} was not found, or you may not see it.`);
    this.name = 'NotFoundError';
    this.path = path;
  }
}

export class ForbiddenError extends Error {
  readonly permission: string | null;
  constructor(message: string, permission: string | null = null) {
    super(message);
    this.name = 'ForbiddenError';
    this.permission = permission;
  }
}

/** The request carries no valid identity; reported as a top-level GraphQL error. */
export class UnauthenticatedError extends Error {
  constructor(message = 'Log in first: this needs a session or an API token.') {
    super(message);
    this.name = 'UnauthenticatedError';
  }
}
