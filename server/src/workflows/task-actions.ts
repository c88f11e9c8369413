import {
  type AssigneeRule,
  type Channel,
  type FieldError,
  fieldError,
  type Principal,
  ValidationFailed,
} from '@docket/core';
import { claimRows, type EntityManager, NothingWritten } from '@docket/db';
import type { HumanActionEvent } from '@docket/engine';
import { mayActOnTask, maySeeTicket, requireStaff, requireTeamQueue } from '../access/policy.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { AssigneeError, canHandTo, resolveAssignee } from '../org/assignees.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import {
  lockTaskForAction,
  openTasksOf,
  openTasksOfTeam,
  readTask,
  type TaskRow,
} from './workflow-repository.ts';
import type { WorkflowRuntime } from './workflow-runtime.ts';
import { engineTaskId } from './workflow-types.ts';

export type { TaskRow };

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
  services: { workflows: WorkflowRuntime },
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

  // Whom a transfer may go to depends on nobody's step: checked before the transaction begins.
  if (rule) {
    try {
      const target = await resolveAssignee(em, rule);
      if (!(await canHandTo(em, staff, rule, target)))
        throw new ValidationFailed([
          fieldError(
            '/to',
            'not_visible',
            'You cannot hand work to someone outside your org unit and teams.',
          ),
        ]);
    } catch (e) {
      if (e instanceof AssigneeError) throw new ValidationFailed([fieldError('/to', 'not_found', e.message)]);
      throw e;
    }
  }

  // Concurrent actions commit together (the runtime's group of step transactions); one that is
  // refused before it writes fails alone.
  return services.workflows.inStepTransaction(async (tx) => {
    // The task, its instance and its ticket in one round trip, the instance and the ticket locked.
    const locked = await lockTaskForAction(tx, input.taskId, {
      isShared: services.workflows.isSharedSession,
    });
    // Actions of the same moment run together: none other may change this instance or ticket meanwhile.
    if (locked?.instance) claimRows(tx, [`instance:${locked.instance.id}`]);
    if (locked?.ticket) claimRows(tx, [`ticket:${locked.ticket.id}`]);
    const refuse = (e: unknown) => new NothingWritten(e);
    const task = locked?.task;
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
    if (!locked || !task || !visible) throw refuse(new NotFoundError(`Task ${input.taskId}`, '/taskId'));
    if (task.status !== 'open')
      throw refuse(
        new ValidationFailed([
          fieldError(
            '/taskId',
            'closed',
            `This task is already ${task.status}; reload to see the current step.`,
          ),
        ]),
      );
    if (
      !mayActOnTask(staff, {
        assigneeUserId: task.assignee_user_id,
        teamId: task.team_id,
        roleId: task.role_id,
        orgUnitId: task.org_unit_id,
      })
    )
      throw refuse(
        new ForbiddenError(
          'This task is assigned to someone else, and you are not in its queue.',
          'ticket.update',
        ),
      );
    if (!task.actions.includes(input.action))
      throw refuse(
        new ValidationFailed([
          fieldError(
            '/action',
            'not_allowed',
            `This step allows ${task.actions.join(', ')}; not ${input.action}.`,
          ),
        ]),
      );
    if (!locked.instance) throw refuse(new NotFoundError(`Task ${input.taskId}`, '/taskId'));
    const taskId = engineTaskId(task.instance_id, task.id);
    const actor = String(staff.userId);
    const event: HumanActionEvent =
      input.action === 'complete'
        ? { type: 'human_action', taskId, actor, action: 'complete', output: input.output ?? {} }
        : input.action === 'transfer'
          ? { type: 'human_action', taskId, actor, action: 'transfer', to: rule!, reason }
          : { type: 'human_action', taskId, actor, action: input.action, reason };
    const { outcome, touchedTasks } = await services.workflows.dispatchLocked(
      tx,
      locked.instance,
      event,
      { userId: staff.userId, channel },
      {
        ...(locked.ticket
          ? { ticket: locked.ticket as unknown as TicketRow & { custom_fields: Record<string, unknown> } }
          : {}),
        // The action first on the timeline, then what it sets off (the next step's task). A
        // transfer is one entry, written by its effect with the previous and the new holder.
        ...(input.action === 'transfer'
          ? {}
          : {
              leadingEntries: [
                {
                  kind: input.action === 'complete' ? 'task.completed' : `task.${input.action}ed`,
                  body: input.action === 'complete' ? task.title : reason,
                  diff: {
                    step: { from: task.node_id, to: null },
                    ...(input.output ? { output: { from: null, to: input.output } } : {}),
                  },
                },
              ],
            }),
      },
    );
    // A refused or ignored event wrote nothing (the runtime writes only what it applied).
    if (outcome.outcome === 'refused')
      throw refuse(
        new ValidationFailed(
          outcome.errors.map((e) =>
            input.action === 'complete' ? { ...e, path: `/output${e.path.replace(/^\/output/, '')}` } : e,
          ),
          'The step did not accept this: fix the fields listed.',
        ),
      );
    if (outcome.outcome === 'ignored')
      throw refuse(
        new ValidationFailed([fieldError('/taskId', 'closed', 'This task no longer waits for an action.')]),
      );
    return (touchedTasks.find((t) => t.id === task.id) as TaskRow | undefined) ?? readTask(tx, task.id);
  });
}

/** Open tasks for a staff member: assigned to them, and (with queues) waiting in their teams', roles' and org unit's queues. */
export function myTasks(
  em: EntityManager,
  principal: Principal | null,
  options: { includeQueues: boolean; first: number },
): Promise<TaskRow[]> {
  return openTasksOf(em, requireStaff(principal), options);
}

/** A team's open tasks, for its members and for dispatchers who may see every ticket. */
export function teamQueue(
  em: EntityManager,
  principal: Principal | null,
  input: { teamId: number; first: number },
): Promise<TaskRow[]> {
  requireTeamQueue(principal, input.teamId);
  return openTasksOfTeam(em, input.teamId, input.first);
}
