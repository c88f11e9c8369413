/**
 * Every way a plugin call can fail, as a stable code the server records against the plugin.
 * LIMIT_* name the limit the call broke (its isolate is rebuilt); the retryable codes are failures
 * of the machinery around an innocent call, which a durable caller should try again.
 */
export const SANDBOX_ERROR_CODES = [
  'LIMIT_MEMORY',
  'LIMIT_CPU',
  'LIMIT_WALL',
  'LIMIT_PAYLOAD_IN',
  'LIMIT_PAYLOAD_OUT',
  'LIMIT_HOST_CALLS',
  /** The handler threw or rejected (its message and the plugin's own `code`, if any, are kept). */
  'PLUGIN_ERROR',
  /** The plugin is not loaded (never, or unloaded, or its load failed). */
  'PLUGIN_NOT_LOADED',
  /** The bundle has no handler of that name. */
  'HANDLER_NOT_FOUND',
  /** The plugin given to `load` is malformed, over the server's maxima, or its bundle does not evaluate. */
  'INVALID_PLUGIN',
  /** The call's arguments are not JSON (a function, a cycle, a BigInt …). */
  'INVALID_ARGS',
  /** Another call of the same plugin broke a limit and its isolate was rebuilt under this one. Retryable. */
  'PLUGIN_RESTARTED',
  /** The sandbox host process died or stopped answering during the call. Retryable. */
  'HOST_RESTARTED',
  /** `close()` was called. */
  'HOST_CLOSED',
] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

export const LIMIT_CODES: readonly SandboxErrorCode[] = [
  'LIMIT_MEMORY',
  'LIMIT_CPU',
  'LIMIT_WALL',
  'LIMIT_PAYLOAD_IN',
  'LIMIT_PAYLOAD_OUT',
  'LIMIT_HOST_CALLS',
];

const RETRYABLE: readonly SandboxErrorCode[] = ['PLUGIN_RESTARTED', 'HOST_RESTARTED'];

/** A failed plugin call or load. `code` is stable; `message` says what happened in words. */
export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  /** True when the same call may well succeed if made again (the failure was not the call's own). */
  readonly isRetryable: boolean;
  /** For PLUGIN_ERROR: the `code` property of what the plugin threw, when it set one. */
  readonly pluginCode: string | undefined;
  constructor(code: SandboxErrorCode, message: string, options?: { pluginCode?: string | undefined }) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    this.isRetryable = RETRYABLE.includes(code);
    this.pluginCode = options?.pluginCode;
  }
}

export const isSandboxError = (e: unknown): e is SandboxError => e instanceof SandboxError;

/** The form a SandboxError crosses the process boundary in. */
export type SerializedSandboxError = { code: SandboxErrorCode; message: string; pluginCode?: string };

export const serializeError = (e: SandboxError): SerializedSandboxError => ({
  code: e.code,
  message: e.message,
  ...(e.pluginCode === undefined ? {} : { pluginCode: e.pluginCode }),
});

export const deserializeError = (e: SerializedSandboxError): SandboxError =>
  new SandboxError(e.code, e.message, { pluginCode: e.pluginCode });
