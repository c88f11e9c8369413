import type { TemplateContent } from '@docket/core';
import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './access.ts';
import { WorkflowVersion } from './workflows.ts';

/**
 * Ticket templates: a draft that admins edit, and immutable numbered versions; tickets stay on
 * the version they were created from. `latestVersion` is 0 while nothing is published.
 */

export const TicketTemplate = defineEntity({
  name: 'TicketTemplate',
  tableName: 'ticket_template',
  properties: {
    id: p.integer().primary().autoincrement(),
    key: p.text().unique(),
    draft: p.json<TemplateContent>(),
    latestVersion: p.integer().default(0),
    isArchived: p.boolean().default(false),
    createdBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('created_by')
        .deleteRule('no action')
        .updateRule('no action'),
    createdAt: p.datetime().defaultRaw('now()'),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onUpdate(() => new Date()),
    versions: () => p.oneToMany(TicketTemplateVersion).mappedBy('template'),
  },
});
export type TicketTemplate = InferEntity<typeof TicketTemplate>;

export const TicketTemplateVersion = defineEntity({
  name: 'TicketTemplateVersion',
  tableName: 'ticket_template_version',
  properties: {
    id: p.integer().primary().autoincrement(),
    template: () => p.manyToOne(TicketTemplate).ref().deleteRule('no action').updateRule('no action'),
    version: p.integer(),
    content: p.json<TemplateContent>(),
    publishedBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('published_by')
        .deleteRule('no action')
        .updateRule('no action'),
    publishedAt: p.datetime().defaultRaw('now()'),
    /** The workflow version its tickets run; null when they run none. */
    workflowVersion: () =>
      p.manyToOne(WorkflowVersion).ref().nullable().deleteRule('no action').updateRule('no action'),
  },
  uniques: [{ properties: ['template', 'version'] }],
});
export type TicketTemplateVersion = InferEntity<typeof TicketTemplateVersion>;
