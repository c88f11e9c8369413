import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { OrgUnit, Role, Team, User } from './access.ts';
import { indexDefinition } from './index-definition.ts';
import { Ticket } from './tickets.ts';
import { WorkflowVersion } from './workflows.ts';

/**
 * Running workflows: instances (the interpreter's state as JSON), human-step tasks and the outbox
 * of calls to the outside world. Written by the workflow runtime's hand-tuned SQL; these entities
 * say what the tables are. Timers live in pg-boss's own schema.
 */

export const WorkflowInstance = defineEntity({
  name: 'WorkflowInstance',
  tableName: 'workflow_instance',
  properties: {
    id: p.uuid().primary(),
    ticket: () =>
      p
        .manyToOne(Ticket)
        .ref()
        .nullable()
        .deleteRule('no action')
        .updateRule('no action')
        .index('workflow_instance_ticket_idx'),
    parentInstance: () =>
      p.manyToOne(WorkflowInstance).ref().nullable().deleteRule('no action').updateRule('no action'),
    parentReply: p.json<unknown>().nullable(),
    workflowVersion: () => p.manyToOne(WorkflowVersion).ref().deleteRule('no action').updateRule('no action'),
    status: p.enum(['waiting', 'failed', 'completed', 'cancelled']),
    state: p.json<Record<string, unknown>>(),
    seq: p.integer(),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    "CREATE INDEX workflow_instance_version_idx ON public.workflow_instance USING btree (workflow_version_id) WHERE (status = ANY (ARRAY['waiting'::text, 'failed'::text]))",
    "CREATE INDEX workflow_instance_failed_idx ON public.workflow_instance USING btree (id) WHERE (status = 'failed'::text)",
  ].map(indexDefinition),
});
export type WorkflowInstance = InferEntity<typeof WorkflowInstance>;

export const WorkflowTask = defineEntity({
  name: 'WorkflowTask',
  tableName: 'workflow_task',
  properties: {
    id: p.text().primary(),
    instance: () => p.manyToOne(WorkflowInstance).ref().deleteRule('no action').updateRule('no action'),
    ticket: () =>
      p
        .manyToOne(Ticket)
        .ref()
        .nullable()
        .deleteRule('no action')
        .updateRule('no action')
        .index('workflow_task_ticket_idx'),
    nodeId: p.text(),
    title: p.text(),
    status: p.enum(['open', 'completed', 'returned', 'rejected', 'cancelled']),
    assigneeUser: () => p.manyToOne(User).ref().nullable().deleteRule('no action').updateRule('no action'),
    team: () => p.manyToOne(Team).ref().nullable().deleteRule('no action').updateRule('no action'),
    role: () => p.manyToOne(Role).ref().nullable().deleteRule('no action').updateRule('no action'),
    orgUnit: () => p.manyToOne(OrgUnit).ref().nullable().deleteRule('no action').updateRule('no action'),
    cc: p.json<unknown[]>().defaultRaw("'[]'::jsonb"),
    formSchema: p.json<Record<string, unknown>>(),
    uiSchema: p.json<Record<string, unknown>>().nullable(),
    actions: p.array(),
    origin: p.json<Record<string, unknown>>().nullable(),
    dueAt: p.datetime().nullable(),
    isOverdue: p.boolean().default(false),
    output: p.json<Record<string, unknown>>().nullable(),
    closedBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('closed_by')
        .deleteRule('no action')
        .updateRule('no action'),
    closeReason: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    closedAt: p.datetime().nullable(),
  },
  indexes: [
    "CREATE INDEX workflow_task_assignee_idx ON public.workflow_task USING btree (assignee_user_id, created_at) WHERE (status = 'open'::text)",
    "CREATE INDEX workflow_task_team_idx ON public.workflow_task USING btree (team_id, created_at) WHERE (status = 'open'::text)",
    "CREATE INDEX workflow_task_role_idx ON public.workflow_task USING btree (role_id, created_at) WHERE (status = 'open'::text)",
    "CREATE INDEX workflow_task_org_idx ON public.workflow_task USING btree (org_unit_id, created_at) WHERE (status = 'open'::text)",
    'CREATE INDEX workflow_task_team_recent_idx ON public.workflow_task USING btree (team_id, assignee_user_id, created_at DESC)',
  ].map(indexDefinition),
});
export type WorkflowTask = InferEntity<typeof WorkflowTask>;

export const OutboundCall = defineEntity({
  name: 'OutboundCall',
  tableName: 'outbound_call',
  properties: {
    id: p.text().primary(),
    idempotencyKey: p.text(),
    instance: () => p.manyToOne(WorkflowInstance).ref().deleteRule('no action').updateRule('no action'),
    request: p.json<Record<string, unknown>>(),
    reply: p.json<Record<string, unknown>>(),
    status: p.enum(['pending', 'done']).default('pending'),
    response: p.json<Record<string, unknown>>().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
    doneAt: p.datetime().nullable(),
  },
});
export type OutboundCall = InferEntity<typeof OutboundCall>;
