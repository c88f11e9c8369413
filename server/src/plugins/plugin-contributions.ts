import {
  type AnyNodeTypeDefinition,
  defineNodeType,
  handlerNameOf,
  type NodeConfigProblem,
  type PluginManifest,
  type PluginNodeTypeManifest,
  type SlaPluginAction,
} from '@docket/core';
import type { JobBus, JobSpec } from '@docket/db';
import { defineExecutor, type Executor, type StepResult } from '@docket/engine';
import type { Registries } from '../extensions/registries.ts';
import type { EntrySource } from '../extensions/registry.ts';
import type { RecipientResult } from '../notifications/targets.ts';
import { readClockState } from '../sla/sla-repository.ts';
import { TICKET_ID_PLACEHOLDER } from '../tickets/ticket-store.ts';

/**
 * What a plugin adds to the server's registries, made from its manifest: node types (the
 * manifest's definition with an executor that asks a job to call the sandbox and waits for the
 * answer, and the handler of their effect), SLA actions (run by a job too), notification targets
 * and channels. Nothing here calls a plugin itself: it is handed `PluginCalls`.
 */

/** The queue of plugin calls made for workflow steps, SLA timers and outgoing channel replies. */
export const PLUGIN_CALL_QUEUE = 'plugin-call';

/** The outside event a plugin node step waits for: the job's answer. */
export const PLUGIN_RESULT_EVENT = 'plugin_result';

/** What a job reports to the step that waits for it. */
export type PluginCallAnswer =
  | { ok: true; value: unknown }
  | { ok: false; error: string; code?: string | undefined };

/** A plugin node step's call, as its job carries it. */
export type NodeCallJob = {
  kind: 'node';
  plugin: string;
  nodeType: string;
  nodeTitle: string;
  /** The node's id in its workflow (for messages). */
  nodeId: string;
  instanceId: string;
  ticketId: string;
  reply: { name: string; key: string };
  args: { config: unknown; inputs: Record<string, unknown>; resume?: unknown };
  attempt: number;
};

/** An SLA action of a plugin, as its job carries it. */
export type SlaCallJob = {
  kind: 'sla';
  plugin: string;
  action: string;
  title: string;
  ticketId: string;
  /** "at the first response breach", … */
  moment: string;
  args: { config: unknown; event: Record<string, unknown> };
  attempt: number;
  key: string;
};

/** An agent's public reply going out on the plugin channel its ticket came through. */
export type ChannelSendJob = {
  kind: 'channel-send';
  plugin: string;
  channel: string;
  ticketId: string;
  threadKey: string;
  authorUserId: number | null;
  text: string;
  eventKey: string;
  attempt: number;
  /** The host's message back to an inbound message's sender (no agent wrote it). */
  purpose?: 'acknowledgement';
};

/**
 * Every call job also names the plugin version that ran when it was queued: an upgrade meanwhile
 * does not change what answers it (the older version answers beside the new one).
 */
export type PluginCallJob = (NodeCallJob | SlaCallJob | ChannelSendJob) & { version?: string | undefined };

/** What the contributions need from the plugin service. */
export type PluginCalls = {
  jobs: JobBus;
  /** The version of the plugin that runs now (a queued call is pinned to it). */
  versionOf(plugin: string): string | undefined;
  /** Whether the plugin is enabled now (read at publish time by node validation). */
  isEnabled(plugin: string): boolean;
  /** A notification target's delivery: calls the plugin and maps its answer. */
  deliver(input: {
    plugin: string;
    target: string;
    addressKind: string;
    message: {
      subject: string | null;
      body: string;
      ticket: { id: string; number: string; title: string } | null;
    };
    recipients: { id: string; name: string; email: string | null; phone: string | null }[];
  }): Promise<RecipientResult[]>;
  /** How long a call may take at most (the job's lease is longer). */
  wallMs(plugin: string): number;
};

/** How many times a call failing for retryable reasons (the sandbox restarted) is tried. */
export const MAX_CALL_ATTEMPTS = 5;

type NodeMemo = { callKey: string };

/** The outputs a step of a plugin node type leaves by, when its plugin names none. */
const firstPort = (n: PluginNodeTypeManifest): string => n.ports.outputs[0]?.id ?? 'out';

function nodeExecutor(plugin: string, manifest: PluginNodeTypeManifest, calls: PluginCalls): Executor {
  const title = manifest.title;
  const definition: AnyNodeTypeDefinition = defineNodeType({
    type: manifest.type,
    version: manifest.version,
    title: manifest.title,
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    category: manifest.category,
    configSchema: manifest.configSchema,
    defaultConfig: manifest.defaultConfig as never,
    ports: manifest.ports,
    // Every step of a plugin node waits for its job's answer.
    isWaiting: true,
    ...(manifest.output === undefined ? {} : { output: manifest.output }),
    // Saved configs of older versions are passed on as they are (the plugin's own migrations are
    // not run by the server yet).
    migrations: manifest.migrations.map((m) => ({ ...m, up: (c: unknown) => c })),
    validate: (): NodeConfigProblem[] =>
      calls.isEnabled(plugin)
        ? []
        : [
            {
              configPath: '',
              code: 'plugin_disabled',
              message: `The plugin "${plugin}" that runs "${title}" is not enabled: enable it before publishing a workflow that uses it.`,
            },
          ],
  });
  const ports = new Set(manifest.ports.outputs.map((p) => p.id));
  const ask = (
    ctx: { stepKey: string; config: unknown; node: { id: string }; state: Record<string, unknown> },
    resume?: unknown,
  ): StepResult => {
    const memo: NodeMemo = { callKey: ctx.stepKey };
    return {
      kind: 'wait',
      memo,
      input: { config: ctx.config },
      effects: [
        {
          type: manifest.type as `${string}.${string}`,
          callKey: ctx.stepKey,
          nodeId: ctx.node.id,
          config: ctx.config,
          inputs: { ticket: ctx.state.ticket, form: ctx.state.form, steps: ctx.state.steps },
          ...(resume === undefined ? {} : { resume }),
          reply: { name: PLUGIN_RESULT_EVENT, key: ctx.stepKey },
        },
      ],
      wait: { kind: 'event', name: PLUGIN_RESULT_EVENT, key: ctx.stepKey },
    };
  };
  return defineExecutor(definition, {
    run: (ctx) => ask(ctx as never),
    resume(ctx, signal) {
      if (signal.kind !== 'event')
        return {
          kind: 'refuse',
          errors: [
            {
              path: '/type',
              code: 'unexpected_event',
              message: `"${title}" waits for its plugin's answer.`,
            },
          ],
        };
      const event = signal.event;
      // The plugin asked to wait for an outside event of its own: run it again with it.
      if (event.name !== PLUGIN_RESULT_EVENT)
        return ask(ctx as never, { event: event.name, key: event.key, payload: event.payload ?? null });
      const answer = (event.payload ?? {}) as PluginCallAnswer;
      if (!answer.ok) return { kind: 'fail', port: 'error', error: answer.error };
      const value = (answer.value ?? {}) as {
        port?: string | null;
        outputs?: unknown;
        wait?: { event: string; key: string };
      };
      if (value.wait && typeof value.wait.event === 'string' && typeof value.wait.key === 'string')
        return { kind: 'wait', wait: { kind: 'event', name: value.wait.event, key: value.wait.key } };
      const port = value.port ?? firstPort(manifest);
      if (!ports.has(port))
        return {
          kind: 'fail',
          error: `The plugin "${plugin}" answered port "${port}", which "${title}" does not have (it has ${[...ports].join(', ')}).`,
        };
      return { kind: 'next', port, output: value.outputs ?? {} };
    },
  }) as Executor;
}

/**
 * Registers a plugin's contributions. Node types (and their effect handlers) are registered while
 * the plugin is installed, enabled or not: a running workflow that reaches one while the plugin is
 * disabled gets a step that fails naming the plugin, and resumes once it is enabled and the
 * instance retried. Everything else only while it is enabled. Returns what undoes it.
 */
export function registerContributions(input: {
  registries: Registries;
  manifest: PluginManifest;
  isEnabled: boolean;
  calls: PluginCalls;
}): () => void {
  const { registries, manifest, calls } = input;
  const plugin = manifest.name;
  const source: EntrySource = `plugin:${plugin}`;
  const undo: (() => void)[] = [];
  const c = manifest.contributes;
  try {
    for (const n of c.nodeTypes) {
      registries.nodeTypes.register(nodeExecutor(plugin, n, calls), source);
      undo.push(() => registries.nodeTypes.unregister(n.type));
      registries.effects.register(
        n.type,
        {
          apply: async (ctx, e) => {
            const effect = e as unknown as {
              callKey: string;
              nodeId: string;
              config: unknown;
              inputs: Record<string, unknown>;
              resume?: unknown;
              reply: { name: string; key: string };
            };
            const job: NodeCallJob & { version?: string | undefined } = {
              kind: 'node',
              plugin,
              version: calls.versionOf(plugin),
              nodeType: n.type,
              nodeTitle: n.title,
              nodeId: effect.nodeId,
              instanceId: ctx.instance.id,
              // A new ticket's first steps are planned before it has an id: its statement fills it in.
              ticketId: ctx.ticketId ?? TICKET_ID_PLACEHOLDER,
              reply: effect.reply,
              args: {
                config: effect.config,
                inputs: effect.inputs,
                ...(effect.resume === undefined ? {} : { resume: effect.resume }),
              },
              attempt: 1,
            };
            ctx.writes.jobs.push(callJob(`node:${effect.callKey}`, job, calls.wallMs(plugin)));
          },
        },
        source,
      );
      undo.push(() => registries.effects.unregister(n.type));
    }
    if (input.isEnabled) {
      for (const a of c.slaActions) {
        const key = `${plugin}/${a.name}`;
        registries.slaActions.register(
          key,
          {
            title: a.title,
            isReadOnly: true,
            run: async (ctx, action) => {
              const firing = ctx.firing;
              const offset = firing.action.offsetMinutes;
              // The clock's target as stored (a brand-new ticket's clocks may not be yet).
              const clocks = (await readClockState(ctx.tx, ctx.ticket.id))?.clocks;
              const job: SlaCallJob & { version?: string | undefined } = {
                kind: 'sla',
                plugin,
                version: calls.versionOf(plugin),
                action: a.name,
                title: a.title,
                ticketId: String(ctx.ticket.id),
                moment: ctx.moment,
                args: {
                  config: (action as SlaPluginAction).config ?? {},
                  event: {
                    metric: firing.metric,
                    target: clocks?.[firing.metric]?.target ?? null,
                    offsetMinutes: offset,
                    dueAt: firing.dueAt,
                    firedAt: firing.fireAt,
                    isBreached: offset >= 0,
                  },
                },
                attempt: 1,
                key: `${ctx.ticket.id}:${firing.key}`,
              };
              await calls.jobs.sendInTransaction(ctx.tx, [
                callJob(`sla:${job.key}`, job, calls.wallMs(plugin)),
              ]);
              return {
                audit: {
                  kind: 'sla.action',
                  body: `"${a.title}" (plugin ${plugin}) ${ctx.moment}: handed to the plugin.`,
                  diff: {},
                },
              };
            },
          },
          source,
        );
        undo.push(() => registries.slaActions.unregister(key));
      }
      for (const t of c.notificationTargets) {
        const key = `${plugin}.${t.name}`;
        registries.notificationTargets.register(
          key,
          {
            key,
            title: t.title,
            ...(t.titles === undefined ? {} : { titles: t.titles }),
            ...(t.description === undefined ? {} : { description: t.description }),
            deliver: (message, recipients) =>
              calls.deliver({ plugin, target: t.name, addressKind: t.addressKind, message, recipients }),
          },
          source,
        );
        undo.push(() => registries.notificationTargets.unregister(key));
      }
      for (const ch of c.channels) {
        const key = `${plugin}.${ch.name}`;
        registries.channels.register(
          key,
          {
            key,
            title: ch.title,
            ...(ch.titles === undefined ? {} : { titles: ch.titles }),
            ...(ch.description === undefined ? {} : { description: ch.description }),
            isInbound: Boolean(ch.inbound.http || ch.inbound.mail || ch.inbound.poll),
          },
          source,
        );
        undo.push(() => registries.channels.unregister(key));
      }
    }
  } catch (e) {
    for (const u of undo.reverse()) u();
    throw e;
  }
  return () => {
    for (const u of undo.reverse()) u();
  };
}

/** A plugin call's job: leased well past the call's own wall time, retried when a process dies. */
export function callJob(key: string, data: PluginCallJob, wallMs: number): JobSpec {
  return {
    queue: PLUGIN_CALL_QUEUE,
    key: `plugin:${key}${data.attempt > 1 ? `#${data.attempt}` : ''}`,
    data: data as unknown as Record<string, unknown>,
    expireInSeconds: Math.ceil(wallMs / 1000) + 60,
    retryLimit: 5,
  };
}

/** The sandbox handler a job calls. */
export function handlerOf(job: PluginCallJob): string {
  if (job.kind === 'node') return handlerNameOf.node(job.nodeType);
  if (job.kind === 'sla') return handlerNameOf.slaAction(job.action);
  return handlerNameOf.channelSend(job.channel);
}
