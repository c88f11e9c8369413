import {
  type AssigneeRule,
  type Channel,
  type FieldError,
  fieldError,
  type Principal,
  ValidationFailed,
} from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import type { HumanActionEvent } from '@docket/engine';
import { mayActOnTask, maySeeTicket, requireStaff, requireTeamQueue } from '../access/policy.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { AssigneeError, canHandTo, resolveAssignee } from './assignees.ts';
import { engineTaskId } from './workflow-runtime.ts';

export type TaskRow = {
  id: string;
  instance_id: string;
  ticket_id: string | null;
  node_id: string;
  title: string;
  status: 'open' | 'completed' | 'returned' | 'rejected' | 'cancelled';
  assignee_user_id: number | null;
  team_id: number | null;
  role_id: number | null;
  org_unit_id: number | null;
  cc: unknown[];
  form_schema: Record<string, unknown>;
  ui_schema: Record<string, unknown> | null;
  actions: string[];
  origin: { action: string; fromNodeId: string; reason: string; actor?: string } | null;
  due_at: Date | null;
  is_overdue: boolean;
  output: unknown;
  closed_by: number | null;
  close_reason: string | null;
  created_at: Date;
  closed_at: Date | null;
};

export const TASK_COLUMNS = `w.id, w.instance_id, w.ticket_id, w.node_id, w.title, w.status, w.assignee_user_id, w.team_id,
  w.role_id, w.org_unit_id, w.cc, w.form_schema, w.ui_schema, w.actions, w.origin, w.due_at, w.is_overdue, w.output,
  w.closed_by, w.close_reason, w.created_at, w.closed_at`;

type TaskWithTicket = TaskRow & {
  t_creator: number | null;
  t_assignee: number | null;
  t_team: number | null;
  t_org_path: string;
  t_requester: number | null;
  t_participants: number[];
};

export type TaskActionInput = {
  taskId: string;
  action: HumanActionEvent['action'];
  output?: Record<string, unknown> | null;
  to?: { userId?: number | null; teamId?: number | null; orgUnitId?: number | null } | null;
  reason?: string | null;
};

function ruleOf(to: NonNullable<TaskActionInput['to']>): AssigneeRule | FieldError {
  const given = [to.userId, to.teamId, to.orgUnitId].filter((v) => v != null).length;
  if (given !== 1)
    return fieldError('/to', 'one_target', 'Transfer to exactly one of userId, teamId or orgUnitId.');
  if (to.userId != null) return { kind: 'user', userId: String(to.userId) };
  if (to.teamId != null) return { kind: 'team', teamId: String(to.teamId), strategy: 'least_loaded' };
  return { kind: 'org_unit', orgUnitId: String(to.orgUnitId) };
}

/**
 * Completes, transfers, returns or rejects a human step's task. The actor must see the ticket and
 * hold the task (or its queue); the step's form checks the output; transfer, return and reject
 * need a reason. The step and everything it leads to commit in one transaction, and the timeline
 * records who acted, when, through which channel, from where and to where.
 */
export async function actOnTask(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  channel: Channel,
  input: TaskActionInput,
): Promise<TaskRow> {
  const staff = requireStaff(principal, 'ticket.update');
  const errors: FieldError[] = [];
  const reason = input.reason?.trim() ?? '';
  if (input.action !== 'complete' && !reason)
    errors.push(fieldError('/reason', 'required', `Say why you ${input.action} this task.`));
  if (reason.length > 2000)
    errors.push(fieldError('/reason', 'too_long', 'A reason may have at most 2,000 characters.'));
  let rule: AssigneeRule | undefined;
  if (input.action === 'transfer') {
    const r = input.to
      ? ruleOf(input.to)
      : fieldError('/to', 'required', 'Say whom to transfer the task to.');
    if ('path' in r) errors.push(r);
    else rule = r;
  }
  if (errors.length) throw new ValidationFailed(errors, 'Nothing was changed: fix the fields listed.');

  return em.transactional(async (tx) => {
    const task = await queryOne<TaskWithTicket>(
      tx,
      `select ${TASK_COLUMNS}, t.creator_user_id as t_creator, t.assignee_id as t_assignee, t.team_id as t_team,
              t.org_path as t_org_path, t.requester_id as t_requester, t.participant_ids as t_participants
         from workflow_task w left join ticket t on t.id = w.ticket_id
        where w.id = ?`,
      [input.taskId],
    );
    const visible =
      task &&
      maySeeTicket(staff, {
        creatorUserId: task.t_creator,
        assigneeId: task.t_assignee,
        teamId: task.t_team,
        orgPath: task.t_org_path,
        requesterId: task.t_requester,
        participantIds: task.t_participants,
      });
    if (!task || !visible) throw new NotFoundError(`Task ${input.taskId}`, '/taskId');
    if (task.status !== 'open')
      throw new ValidationFailed([
        fieldError(
          '/taskId',
          'closed',
          `This task is already ${task.status}; reload to see the current step.`,
        ),
      ]);
    if (
      !mayActOnTask(staff, {
        assigneeUserId: task.assignee_user_id,
        teamId: task.team_id,
        roleId: task.role_id,
        orgUnitId: task.org_unit_id,
      })
    )
      throw new ForbiddenError(
        'This task is assigned to someone else, and you are not in its queue.',
        'ticket.update',
      );
    if (!task.actions.includes(input.action))
      throw new ValidationFailed([
        fieldError(
          '/action',
          'not_allowed',
          `This step allows ${task.actions.join(', ')}; not ${input.action}.`,
        ),
      ]);
    if (rule) {
      try {
        const target = await resolveAssignee(tx, rule);
        if (!(await canHandTo(tx, staff, rule, target)))
          throw new ValidationFailed([
            fieldError(
              '/to',
              'not_visible',
              'You cannot hand work to someone outside your org unit and teams.',
            ),
          ]);
      } catch (e) {
        if (e instanceof AssigneeError)
          throw new ValidationFailed([fieldError('/to', 'not_found', e.message)]);
        throw e;
      }
    }
    const taskId = engineTaskId(task.instance_id, task.id);
    const actor = String(staff.userId);
    const event: HumanActionEvent =
      input.action === 'complete'
        ? {
            type: 'human_action',
            taskId,
            actor,
            action: 'complete',
            output: input.output ?? {},
          }
        : input.action === 'transfer'
          ? { type: 'human_action', taskId, actor, action: 'transfer', to: rule!, reason }
          : { type: 'human_action', taskId, actor, action: input.action, reason };
    // The action first on the timeline, then what it sets off (the next step's task); a refused or
    // stale action rolls this back with the rest.
    await query(
      tx,
      `insert into ticket_event (ticket_id, kind, actor_kind, actor_id, via_token_id, channel, is_public, body, diff)
       values (?, ?, 'user', ?, ?, ?, false, ?, ?::jsonb)`,
      [
        task.ticket_id,
        `task.${input.action === 'complete' ? 'completed' : `${input.action}ed`.replace('transfered', 'transferred')}`,
        staff.userId,
        staff.viaTokenId,
        channel,
        input.action === 'complete' ? task.title : reason,
        JSON.stringify({
          step: { from: task.node_id, to: null },
          ...(input.output ? { output: { from: null, to: input.output } } : {}),
        }),
      ],
    );
    const outcome = await services.workflows.dispatchIn(tx, task.instance_id, event, {
      userId: staff.userId,
      channel,
    });
    if (outcome.outcome === 'refused')
      throw new ValidationFailed(
        outcome.errors.map((e) =>
          input.action === 'complete' ? { ...e, path: `/output${e.path.replace(/^\/output/, '')}` } : e,
        ),
        'The step did not accept this: fix the fields listed.',
      );
    if (outcome.outcome === 'ignored')
      throw new ValidationFailed([
        fieldError('/taskId', 'closed', 'This task no longer waits for an action.'),
      ]);
    return (await queryOne<TaskRow>(tx, `select ${TASK_COLUMNS} from workflow_task w where w.id = ?`, [
      task.id,
    ]))!;
  });
}

/** Open tasks for a staff member: assigned to them, and (with queues) waiting in their teams', roles' and org unit's queues. */
export async function myTasks(
  em: EntityManager,
  principal: Principal | null,
  options: { includeQueues: boolean; first: number },
): Promise<TaskRow[]> {
  const staff = requireStaff(principal);
  const queue = options.includeQueues
    ? `or (w.assignee_user_id is null and (w.team_id = any(?::int[]) or w.org_unit_id = ?
          or w.role_id in (select role_id from user_role where user_id = ?)))`
    : '';
  return query<TaskRow>(
    em,
    `select ${TASK_COLUMNS} from workflow_task w
      where w.status = 'open' and (w.assignee_user_id = ? ${queue})
      order by w.due_at asc nulls last, w.created_at asc limit ?`,
    options.includeQueues
      ? [staff.userId, staff.teamIds, staff.orgUnitId ?? 0, staff.userId, options.first]
      : [staff.userId, options.first],
  );
}

/** A team's open tasks, for its members and for dispatchers who may see every ticket. */
export async function teamQueue(
  em: EntityManager,
  principal: Principal | null,
  input: { teamId: number; first: number },
): Promise<TaskRow[]> {
  requireTeamQueue(principal, input.teamId);
  return query<TaskRow>(
    em,
    `select ${TASK_COLUMNS} from workflow_task w where w.status = 'open' and w.team_id = ?
      order by w.due_at asc nulls last, w.created_at asc limit ?`,
    [input.teamId, input.first],
  );
}
