import { isPriority, isStatusCategory, type Recipient } from '@docket/core';
import { IN_APP } from '../../notifications/targets.ts';
import {
  AssigneeError,
  type ResolvedAssignee,
  resolveAssignee,
  resolveRecipients,
} from '../../org/assignees.ts';
import { readTaskForNotice, readTransfer } from '../workflow-repository.ts';
import { EVENT_QUEUE, OUTBOUND_QUEUE, TIMER_QUEUE, taskKey } from '../workflow-types.ts';
import { coreEffect, type EffectContext, type EffectHandlerRegistry } from './effect-handler.ts';

/** Ticket fields a set-fields node may write directly; other fields go to the ticket's custom fields. */
const TICKET_FIELDS: Record<string, (v: unknown) => boolean> = {
  title: (v) => typeof v === 'string' && v.trim().length > 0 && v.length <= 200,
  description: (v) => typeof v === 'string',
  priority: isPriority,
  status: isStatusCategory,
};

function describe(a: ResolvedAssignee): Record<string, number> {
  const out: Record<string, number> = {};
  if (a.userId !== null) out.userId = a.userId;
  if (a.teamId !== null) out.teamId = a.teamId;
  if (a.roleId !== null) out.roleId = a.roleId;
  if (a.orgUnitId !== null) out.orgUnitId = a.orgUnitId;
  return out;
}

const NOBODY: ResolvedAssignee = { userId: null, teamId: null, roleId: null, orgUnitId: null };

/** An end gives the ticket the end's status (and named status), and says so on the trail. */
function end(e: { status: 'solved' | 'closed'; statusName?: string }, ctx: EffectContext): void {
  ctx.fields.status = e.status;
  // The named status the end node gives (checked at publish), or the category alone.
  ctx.fields.statusName = e.statusName ?? null;
  ctx.audit({
    kind: 'workflow.ended',
    diff: {
      status: { from: null, to: e.status },
      ...(e.statusName ? { statusName: { from: null, to: e.statusName } } : {}),
    },
  });
}

/**
 * Registers how the server applies the effects of the core node types. Handlers read what they
 * need and add rows to the event's writes; none writes on its own, so a new ticket's first steps
 * are planned before the ticket exists and written with it.
 */
export function registerCoreEffectHandlers(registry: EffectHandlerRegistry): void {
  const add = (type: string, handler: ReturnType<typeof coreEffect>) =>
    registry.register(type, handler, 'core');

  add(
    'set_ticket_fields',
    coreEffect('set_ticket_fields', {
      apply: async (ctx, e) => {
        for (const [field, value] of Object.entries(e.fields)) {
          const check = TICKET_FIELDS[field];
          if (check?.(value)) ctx.fields[field as keyof typeof ctx.fields] = value;
          else if (check)
            ctx.audit({
              kind: 'workflow.field_refused',
              body: `"${field}" cannot be set to ${JSON.stringify(value)}.`,
            });
          else ctx.custom[field] = value;
        }
      },
    }),
  );

  add(
    'end_instance',
    coreEffect('end_instance', {
      apply: async (ctx, e) => {
        const { instance } = ctx;
        if (!instance.parent_instance_id) end(e, ctx);
        else if (instance.parent_reply)
          // A sub-workflow reports its end to its parent, which waits for it.
          ctx.writes.jobs.push({
            queue: EVENT_QUEUE,
            key: `event:${instance.parent_instance_id}:${instance.parent_reply.key}`,
            data: {
              instanceId: instance.parent_instance_id,
              event: {
                type: 'outside_event',
                name: instance.parent_reply.name,
                key: instance.parent_reply.key,
                payload: { status: e.status, output: instance.state.steps },
              },
            },
          });
      },
    }),
  );

  add(
    'instance_failed',
    coreEffect('instance_failed', {
      apply: async (ctx, e) =>
        ctx.audit({ kind: 'workflow.failed', diff: { step: { from: null, to: e.nodeId } }, body: e.error }),
    }),
  );

  // A timer job that fires after its timer changed is ignored by the interpreter: nothing to do.
  add('cancel_timer', coreEffect('cancel_timer', { apply: async () => {} }));

  add(
    'schedule_timer',
    coreEffect('schedule_timer', {
      apply: async (ctx, e) =>
        void ctx.writes.jobs.push({
          queue: TIMER_QUEUE,
          key: `timer:${ctx.instance.id}:${e.timerId}:${e.version}`,
          startAfter: new Date(e.dueAt),
          data: { instanceId: ctx.instance.id, timerId: e.timerId, version: e.version },
        }),
    }),
  );

  add(
    'create_task',
    coreEffect('create_task', {
      apply: async (ctx, e) => {
        let assignee: ResolvedAssignee;
        try {
          assignee = await resolveAssignee(ctx.tx, e.assignee);
        } catch (err) {
          if (!(err instanceof AssigneeError)) throw err;
          assignee = NOBODY;
          ctx.audit({
            kind: 'workflow.assignee_missing',
            diff: { node: { from: null, to: e.nodeId } },
            body: err.message,
          });
        }
        ctx.writes.tasks.push({
          id: taskKey(ctx.instance.id, e.taskId),
          instance_id: ctx.instance.id,
          node_id: e.nodeId,
          title: e.title,
          assignee_user_id: assignee.userId,
          team_id: assignee.teamId,
          role_id: assignee.roleId,
          org_unit_id: assignee.orgUnitId,
          cc: e.cc,
          form_schema: e.formSchema,
          ui_schema: e.uiSchema ?? null,
          actions: e.actions,
          origin: e.origin ?? null,
          due_at: e.dueAt ?? null,
        });
        ctx.route(assignee);
        const notified = await resolveRecipients(ctx.tx, e.cc, await ctx.ticket());
        if (assignee.userId !== null) notified.userIds.push(assignee.userId);
        ctx.writes.notices.push({
          key: `${e.stepKey}:task`,
          ticketId: ctx.ticketId,
          subject: e.title,
          body: e.origin
            ? `The step "${e.title}" came back (${e.origin.action}): ${e.origin.reason}`
            : `New step: ${e.title}`,
          to: notified,
        });
        ctx.audit({
          kind: e.origin ? `task.${e.origin.action}ed_to` : 'task.created',
          diff: {
            step: { from: e.origin?.fromNodeId ?? null, to: e.nodeId },
            assignee: { from: null, to: describe(assignee) },
            ...(e.dueAt ? { dueAt: { from: null, to: e.dueAt } } : {}),
          },
          body: e.origin ? e.origin.reason : e.title,
        });
      },
    }),
  );

  add(
    'close_task',
    coreEffect('close_task', {
      apply: async (ctx, e) =>
        void ctx.writes.taskUpdates.push({
          kind: 'close',
          id: taskKey(ctx.instance.id, e.taskId),
          outcome: e.outcome,
          closedBy: ctx.cause.userId,
          reason: e.reason ?? null,
          // What the step recorded (the instance's outputs by node).
          output: e.outcome === 'completed' ? (ctx.instance.state.steps[e.nodeId] ?? null) : null,
        }),
    }),
  );

  add(
    'transfer_task',
    coreEffect('transfer_task', {
      apply: async (ctx, e) => {
        const id = taskKey(ctx.instance.id, e.taskId);
        const assignee = await resolveAssignee(ctx.tx, e.assignee);
        ctx.writes.taskUpdates.push({ kind: 'reassign', id, ...assignee });
        ctx.route(assignee);
        const { task: before, from, to } = await readTransfer(ctx.tx, id, assignee);
        // One entry for the action: the step, from whom, to whom and why (the ticket's own field
        // changes join its diff).
        ctx.ownEntry({
          kind: 'task.transferred',
          diff: {
            ...(before ? { step: { from: before.node_id, to: before.node_id } } : {}),
            holder: { from, to },
          },
          body: e.reason,
        });
        // The new holder hears of it: the person, or every member of the queue it now waits in.
        const title = before?.title ?? '';
        const recipients =
          assignee.userId !== null
            ? { userIds: [assignee.userId], customerIds: [] }
            : await resolveRecipients(
                ctx.tx,
                assignee.teamId !== null
                  ? [{ kind: 'team', id: String(assignee.teamId) }]
                  : assignee.roleId !== null
                    ? [{ kind: 'role', id: String(assignee.roleId) }]
                    : assignee.orgUnitId !== null
                      ? [{ kind: 'org_unit', id: String(assignee.orgUnitId) }]
                      : [],
                null,
              );
        const by = ctx.cause.userId;
        recipients.userIds = recipients.userIds.filter((u) => u !== by);
        ctx.writes.notices.push({
          key: `${id}:transfer:${ctx.instance.seq}`,
          ticketId: ctx.ticketId,
          subject: `Transferred to you: ${title}`,
          body: `The step "${title}" was transferred${from.userName ? ` from ${from.userName}` : ''}: ${e.reason}`,
          to: recipients,
        });
      },
    }),
  );

  add(
    'step_overdue',
    coreEffect('step_overdue', {
      apply: async (ctx, e) => {
        const id = taskKey(ctx.instance.id, e.taskId);
        ctx.writes.taskUpdates.push({ kind: 'overdue', id });
        ctx.audit({ kind: 'task.overdue', diff: { step: { from: null, to: e.nodeId } } });
        const task = await readTaskForNotice(ctx.tx, id);
        if (!task) return;
        // The handler, the handler's manager and the CC list hear that the step is late.
        const to = await resolveRecipients(ctx.tx, task.cc as Recipient[], await ctx.ticket());
        if (task.assignee_user_id !== null) to.userIds.push(task.assignee_user_id);
        if (task.manager_id !== null) to.userIds.push(task.manager_id);
        ctx.writes.notices.push({
          key: `${e.stepKey}:overdue`,
          ticketId: ctx.ticketId,
          subject: `Overdue: ${task.title}`,
          body: `The step "${task.title}" passed its time limit.`,
          to,
        });
      },
    }),
  );

  add(
    'notify',
    coreEffect('notify', {
      apply: async (ctx, e) =>
        void ctx.writes.notices.push({
          key: e.idempotencyKey,
          ticketId: ctx.ticketId,
          subject: e.subject ?? null,
          body: e.body,
          to: await resolveRecipients(ctx.tx, e.recipients, await ctx.ticket()),
          targets: e.channel === IN_APP ? [] : [e.channel],
        }),
    }),
  );

  add(
    'http_request',
    coreEffect('http_request', {
      apply: async (ctx, e) => {
        const callId = `${e.idempotencyKey}#${e.attempt}`;
        ctx.writes.calls.push({
          id: callId,
          idempotency_key: e.idempotencyKey,
          instance_id: ctx.instance.id,
          request: { method: e.method, url: e.url, headers: e.headers, body: e.body, timeoutMs: e.timeoutMs },
          reply: e.reply,
        });
        ctx.writes.jobs.push({
          queue: OUTBOUND_QUEUE,
          key: `call:${callId}`,
          // A failed attempt waits a little longer each time before the next.
          ...(e.attempt > 1 ? { startAfter: new Date(ctx.now() + 1000 * 2 ** (e.attempt - 2)) } : {}),
          data: { callId },
          // Taken for dead (and handed out again) only well after the call's own timeout.
          expireInSeconds: Math.ceil(e.timeoutMs / 1000) + 30,
        });
      },
    }),
  );

  add(
    'assign_ticket',
    coreEffect('assign_ticket', {
      apply: async (ctx, e) => {
        try {
          ctx.route(await resolveAssignee(ctx.tx, e.assignee));
        } catch (err) {
          if (!(err instanceof AssigneeError)) throw err;
          ctx.audit({ kind: 'workflow.assignee_missing', body: err.message });
        }
      },
    }),
  );
}
