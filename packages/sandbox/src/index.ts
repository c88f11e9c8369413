export * from './errors.ts';
export { resolveLimits, SandboxHost, type SandboxHostOptions } from './sandbox-host.ts';
export * from './types.ts';
