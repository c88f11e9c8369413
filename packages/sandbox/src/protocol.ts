import type { JsonValue, PluginPermissions, PluginTicketAccess } from '@docket/core';
import type { SerializedSandboxError } from './errors.ts';
import type { HostCallSource, PluginLimits, SandboxEvent } from './types.ts';

/**
 * Messages between the server's SandboxHost and the sandbox host process. Each IPC message is an
 * array of these (calls and answers made in the same turn of the event loop travel together).
 * Arguments and results stay JSON text end to end: parsed only inside the isolate and by the caller.
 */

/** A plugin as the host process holds it: permissions already narrowed to what was granted. */
export type LoadSpec = {
  id: string;
  version: string;
  code: string;
  permissions: PluginPermissions;
  limits: PluginLimits;
  configJson: string;
  secretsJson: string;
  /** Handler names the manifest's contributions need; load fails when the bundle lacks one. */
  requiredHandlers: string[];
};

export type ToHost =
  | { t: 'load'; rid: number; spec: LoadSpec }
  | { t: 'unload'; rid: number; id: string }
  | { t: 'stats'; rid: number }
  | {
      t: 'call';
      cid: number;
      pluginId: string;
      handler: string;
      argsJson: string;
      callId: string;
      ticketId: string;
      ticketAccess: PluginTicketAccess | '';
      wallMs: number;
      /** 0, or the id of a `shared` message whose arguments are merged under this call's. */
      sharedId: number;
    }
  /** Arguments common to the calls of one batch, sent once; calls name it by id. */
  | { t: 'shared'; id: number; json: string }
  | { t: 'svc-reply'; sid: number; ok: boolean; json: string };

export type ServiceOp =
  | 'kv.get'
  | 'kv.set'
  | 'kv.delete'
  | 'kv.list'
  | 'ticket.read'
  | 'ticket.patch'
  | 'ticket.follow-up'
  | 'fetch'
  | 'mail.send'
  | 'org.manager'
  | 'org.team'
  | 'notify';

export type ToParent =
  | { t: 'ready'; pid: number }
  | { t: 'reply'; rid: number; ok: boolean; value?: JsonValue; error?: SerializedSandboxError }
  | { t: 'result'; cid: number; ok: true; json: string }
  | { t: 'result'; cid: number; ok: false; error: SerializedSandboxError }
  /** A host call the server answers (kv, tickets, fetch when the server stands in for the network). */
  | { t: 'svc'; sid: number; cid: number; op: ServiceOp; source: HostCallSource; payload: JsonValue }
  | { t: 'log'; source: HostCallSource; json: string }
  | { t: 'metric'; source: HostCallSource; json: string }
  | { t: 'event'; event: SandboxEvent };
