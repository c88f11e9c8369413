import type { TemplateContent } from '@docket/core';
import {
  type EntityManager,
  type FilterQuery,
  query,
  queryOne,
  TicketTemplate,
  Workflow,
  WorkflowVersion,
} from '@docket/db';

/** Reads and the hand-written statements of the templates domain. */

export const ticketNumberSequence = (templateId: number): string => `ticket_number_seq_${templateId}`;

/** Templates by key: every one for those who manage them, else published and unarchived ones. */
export function listTemplates(
  em: EntityManager,
  options: { canManage: boolean; includeArchived: boolean },
): Promise<TicketTemplate[]> {
  const where: FilterQuery<TicketTemplate> = {
    ...(options.canManage ? {} : { latestVersion: { $gt: 0 } }),
    ...(options.includeArchived && options.canManage ? {} : { isArchived: false }),
  };
  return em.find(TicketTemplate, where, { orderBy: { key: 'asc' } });
}

export function findTemplate(
  em: EntityManager,
  ref: { id: number } | { key: string },
): Promise<TicketTemplate | null> {
  return em.findOne(TicketTemplate, 'id' in ref ? { id: ref.id } : { key: ref.key });
}

/** The sequence that numbers a template's tickets. SQL: DDL, which has no entity form. */
export async function createTicketNumberSequence(em: EntityManager, templateId: number): Promise<void> {
  await query(em, `create sequence ${ticketNumberSequence(templateId)}`);
}

/** The value the template's sequence gives next (without drawing it). */
export async function nextTicketSequence(em: EntityManager, templateId: number): Promise<number> {
  const row = await queryOne<{ last_value: string | number; is_called: boolean }>(
    em,
    `select last_value, is_called from ${ticketNumberSequence(templateId)}`,
  );
  if (!row) return 1;
  return row.is_called ? Number(row.last_value) + 1 : Number(row.last_value);
}

/** The newest published version of the workflow with this key, or null. */
export async function latestWorkflowVersion(em: EntityManager, key: string): Promise<WorkflowVersion | null> {
  const workflow = await em.findOne(Workflow, { key });
  if (!workflow || workflow.latestVersion === 0) return null;
  return em.findOne(WorkflowVersion, { workflow, version: workflow.latestVersion });
}

export type LatestPublishedRow = {
  id: number;
  key: string;
  vid: number;
  version: number;
  content: TemplateContent;
  workflow_version_id: number | null;
};

/**
 * A template's newest published version, unless archived. SQL: one statement on the ticket-create
 * path (its cache misses), read into no identity map (the catalog outlives the request).
 */
export function latestPublishedRow(
  em: EntityManager,
  ref: { id?: number; key?: string },
): Promise<LatestPublishedRow | undefined> {
  return queryOne<LatestPublishedRow>(
    em,
    `select t.id, t.key, v.id as vid, v.version, v.content, v.workflow_version_id
       from ticket_template t
       join ticket_template_version v on v.template_id = t.id and v.version = t.latest_version
      where ${ref.id !== undefined ? 't.id = ?' : 't.key = ?'} and not t.is_archived`,
    [ref.id ?? ref.key],
  );
}
