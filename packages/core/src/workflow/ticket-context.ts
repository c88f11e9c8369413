import type { TemplateContent } from '../templates/template-content.ts';
import { type CelSchema, celTypeFromJsonSchema } from './cel.ts';
import type { NodeTypeRegistry } from './define-node-type.ts';
import type { WorkflowContext } from './workflow-cel.ts';

/** The ticket fields a workflow's CEL expressions see as `ticket.<field>`. */
export const TICKET_CEL_SCHEMA: CelSchema = {
  id: 'int',
  number: 'string',
  title: 'string',
  description: 'string',
  status: 'string',
  priority: 'string',
  channel: 'string',
  template: 'string',
  category: 'string',
  categoryPath: 'list<string>',
  orgUnitId: 'int',
  teamId: 'int',
  assigneeId: 'int',
  requesterId: 'int',
  createdAt: 'timestamp',
};

/** What the database gives a ticket as it is written: a run that reads none of it can start before. */
export const TICKET_IDENTITY_FIELDS: ReadonlySet<string> = new Set(['id', 'number', 'createdAt']);

/**
 * The workflow context of a template version: typed ticket fields and its form, for CEL, with the
 * node types in use.
 */
export function workflowContextOf(
  content: Pick<TemplateContent, 'formSchema'> | null,
  nodeTypes: NodeTypeRegistry,
): WorkflowContext {
  const form = content ? celTypeFromJsonSchema(content.formSchema) : 'map<string, dyn>';
  return { ticket: TICKET_CEL_SCHEMA, nodeTypes, ...(typeof form === 'object' ? { form } : {}) };
}

/** A ticket as a workflow's expressions see it (`ticket.<field>`, see TICKET_CEL_SCHEMA). */
export type TicketFacts = {
  id: number;
  number: string;
  title: string;
  description: string;
  status: string;
  priority: string;
  channel: string;
  template: string;
  category: string;
  categoryPath: string[];
  orgUnitId: number;
  teamId: number;
  assigneeId: number;
  requesterId: number;
  createdAt: string;
};

/** The facts of a stored (or drafted) ticket row, for its workflow (0 where a reference is empty). */
export function ticketFactsOf(
  t: {
    id: string | number;
    number: string;
    title: string;
    description: string;
    status: string;
    priority: string;
    channel: string;
    org_unit_id: number | null;
    team_id: number | null;
    assignee_id: number | null;
    requester_id: number | null;
    created_at: Date | string;
  },
  pinned: { templateKey: string; categoryPath: string[] },
): TicketFacts {
  return {
    id: Number(t.id),
    number: t.number,
    title: t.title,
    description: t.description,
    status: t.status,
    priority: t.priority,
    channel: t.channel,
    template: pinned.templateKey,
    category: pinned.categoryPath.join('/'),
    categoryPath: pinned.categoryPath,
    orgUnitId: t.org_unit_id ?? 0,
    teamId: t.team_id ?? 0,
    assigneeId: t.assignee_id ?? 0,
    requesterId: t.requester_id ?? 0,
    createdAt: new Date(t.created_at).toISOString(),
  };
}
