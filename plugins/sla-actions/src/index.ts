import {
  definePlugin,
  defineSlaAction,
  type SlaClockEvent,
  type TeamMember,
  type TicketHostApi,
  type TicketView,
} from '@docket/sdk';

/**
 * SLA actions an SLA policy can name instead of the built-in ones
 * (`{ kind: 'plugin', plugin: 'sla_actions', action: <name>, config }`):
 * - `escalate_to_manager`: tells the manager of the handler (the person the handler reports to in
 *   their org unit) at once in-app, by chat robot and by SMS (the notification targets named,
 *   `chat_robots.wecom` and `sms.sms` unless the policy names others).
 * - `reassign_least_loaded`: hands the ticket to the member of a team holding the skills named
 *   who has the fewest open tickets (then open tasks), never to the handler it has already.
 * - `follow_up_for_supervisor`: opens a follow-up ticket linked to this one, for a supervisor
 *   (named by user id, else the handler's manager), in their name and assigned to them.
 * Each answers with a note that goes on the ticket's timeline. A clock event runs an action once:
 * what an action did is remembered under the event, so a retried call does not do it twice.
 */

const METRIC_WORDS: Record<SlaClockEvent['metric'], string> = {
  first_response: 'first response',
  next_response: 'next response',
  periodic_update: 'update',
  resolution: 'resolution',
};

/** "breached its resolution target (due …)" or "is 10 min from its first response target (due …)". */
export function eventWords(event: SlaClockEvent): string {
  const metric = METRIC_WORDS[event.metric] ?? event.metric;
  if (event.isBreached) return `breached its ${metric} target (due ${event.dueAt})`;
  return `is ${Math.abs(event.offsetMinutes)} min from its ${metric} target (due ${event.dueAt})`;
}

/** The key an action's outcome is remembered under: one per ticket, action and clock event. */
const doneKey = (action: string, ticketId: string, event: SlaClockEvent) =>
  `done:${action}:${ticketId}:${event.metric}:${event.offsetMinutes}:${event.dueAt}`;

/** Runs `act` once per clock event: a second call for the same event answers the first one's note. */
async function once(
  ctx: TicketHostApi,
  key: string,
  act: () => Promise<{ note: string; isDone: boolean }>,
): Promise<{ note: string }> {
  const before = await ctx.kv.get<string>(key);
  if (before !== null) return { note: before };
  const { note, isDone } = await act();
  // Remembered for a month: long past any clock's retries.
  if (isDone) await ctx.kv.set(key, note, { ttlSeconds: 30 * 24 * 3600 });
  return { note };
}

const handlerOf = (t: TicketView): number | null => (typeof t.assigneeId === 'number' ? t.assigneeId : null);

const escalateToManager = defineSlaAction({
  name: 'escalate_to_manager',
  title: "Escalate to the handler's manager (chat robot and SMS)",
  description:
    "Tells the manager of the handler's org unit at once: in-app, through the chat robot and by SMS.",
  configSchema: {
    type: 'object',
    properties: {
      targets: {
        type: 'array',
        title: 'Notification targets',
        items: { type: 'string' },
        default: ['chat_robots.wecom', 'sms.sms'],
      },
      message: { type: 'string', title: 'Message (default: what happened to which ticket)' },
    },
  },
  run: async ({ config, event, ticket }, ctx) =>
    once(ctx, doneKey('escalate', ticket.id, event), async () => {
      const t = await ctx.ticket.read();
      const handler = handlerOf(t);
      if (handler === null)
        return { note: 'nobody handles the ticket, so there is no manager to escalate to', isDone: true };
      const manager = await ctx.org.manager(handler);
      if (!manager) return { note: 'the handler reports to nobody, so nobody was told', isDone: true };
      const targets = config.targets ?? ['chat_robots.wecom', 'sms.sms'];
      const sent = await ctx.notify({
        userIds: [manager.id],
        targets,
        subject: `Escalated: ${t.number} ${eventWords(event)}`.slice(0, 200),
        text:
          config.message ??
          `Ticket ${t.number} "${t.title}" ${eventWords(event)}. Its handler reports to you: please step in.`,
        key: doneKey('escalate', ticket.id, event),
      });
      const through = sent.targets.length
        ? `in-app and through ${sent.targets.join(' and ')}`
        : 'in-app only';
      const missing = sent.unknownTargets.length
        ? `; not through ${sent.unknownTargets.join(', ')}: no such notification target is installed`
        : '';
      return {
        note: `escalated to ${manager.name}, the handler's manager, ${through}${missing}`,
        isDone: true,
      };
    }),
});

/** The member with the fewest open tickets, then open tasks, then the lowest id; never `except`. */
export function leastLoaded(members: TeamMember[], except: number | null): TeamMember | undefined {
  return members
    .filter((m) => m.id !== except)
    .sort((a, b) => a.openTickets - b.openTickets || a.openTasks - b.openTasks || a.id - b.id)[0];
}

const reassignLeastLoaded = defineSlaAction({
  name: 'reassign_least_loaded',
  title: 'Reassign to the least-loaded skilled team member',
  description:
    'Hands the ticket to the member of a team holding the skills named who has the fewest open tickets.',
  configSchema: {
    type: 'object',
    required: ['team'],
    properties: {
      team: { type: 'string', title: 'Team (name or id)' },
      skills: { type: 'array', title: 'Skills needed', items: { type: 'string' }, default: [] },
    },
  },
  run: async ({ config, event, ticket }, ctx) =>
    once(ctx, doneKey('reassign', ticket.id, event), async () => {
      const t = await ctx.ticket.read();
      const skills = config.skills ?? [];
      const { team, members } = await ctx.org.teamMembers({ team: config.team, skills });
      const pick = leastLoaded(members, handlerOf(t));
      const needs = skills.length ? ` with ${skills.join(', ')}` : '';
      if (!pick)
        return {
          note: `no other active member of ${team.name}${needs}, so the ticket stays where it is`,
          isDone: true,
        };
      if (!ctx.ticket.patch)
        return { note: 'the plugin may not change the ticket (grant ticket: patch)', isDone: false };
      await ctx.ticket.patch({ assigneeId: pick.id, teamId: team.id });
      return {
        note: `reassigned to ${pick.name}, the least-loaded member of ${team.name}${needs} (${pick.openTickets} open tickets, ${pick.openTasks} open tasks)`,
        isDone: true,
      };
    }),
});

const followUpForSupervisor = defineSlaAction({
  name: 'follow_up_for_supervisor',
  title: 'Open a follow-up ticket for a supervisor',
  description:
    "Opens a follow-up ticket linked to this one for a supervisor (a user id, else the handler's manager), assigned to them.",
  configSchema: {
    type: 'object',
    properties: {
      supervisorUserId: { type: 'integer', title: "Supervisor's user id (default: the handler's manager)" },
      templateKey: { type: 'string', title: 'Template (default: the same as the ticket)' },
    },
  },
  run: async ({ config, event, ticket }, ctx) =>
    once(ctx, doneKey('follow-up', ticket.id, event), async () => {
      const t = await ctx.ticket.read();
      const handler = handlerOf(t);
      const supervisor =
        config.supervisorUserId ?? (handler === null ? null : ((await ctx.org.manager(handler))?.id ?? null));
      if (supervisor === null)
        return {
          note: 'no supervisor is named and the handler reports to nobody: no follow-up',
          isDone: true,
        };
      if (!ctx.ticket.createFollowUp)
        return { note: 'the plugin may not open follow-up tickets (grant followUps)', isDone: false };
      const followUp = await ctx.ticket.createFollowUp({
        forUserId: supervisor,
        title: `Follow-up of ${t.number}: ${t.title ?? ''}`.trim().slice(0, 200),
        description: `Ticket ${t.number} ${eventWords(event)}. Check on it with its handler and the customer.`,
        ...(config.templateKey ? { templateKey: config.templateKey } : {}),
        // A retry of this clock event (the plugin died before it remembered) finds this follow-up.
        key: doneKey('follow-up', ticket.id, event).slice(0, 200),
      });
      return { note: `opened the follow-up ${followUp.number} for the supervisor`, isDone: true };
    }),
});

export default definePlugin({
  name: 'sla_actions',
  version: '1.0.0',
  displayName: 'SLA actions',
  description:
    "Escalate to the handler's manager by chat robot and SMS, reassign to the least-loaded skilled team member, open a follow-up ticket for a supervisor.",
  permissions: { ticket: 'patch', kv: true, org: true, notify: true, followUps: true },
  contributes: { slaActions: [escalateToManager, reassignLeastLoaded, followUpForSupervisor] },
});
