import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './access.ts';

/** Workflows as the designer saves them: a draft and immutable published versions. */

export const Workflow = defineEntity({
  name: 'Workflow',
  tableName: 'workflow',
  properties: {
    id: p.integer().primary().autoincrement(),
    key: p.text().unique(),
    name: p.text(),
    draft: p.json<Record<string, unknown>>(),
    latestVersion: p.integer().default(0),
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
  },
});
export type Workflow = InferEntity<typeof Workflow>;

export const WorkflowVersion = defineEntity({
  name: 'WorkflowVersion',
  tableName: 'workflow_version',
  properties: {
    id: p.integer().primary().autoincrement(),
    workflow: () => p.manyToOne(Workflow).ref().deleteRule('no action').updateRule('no action'),
    version: p.integer(),
    graph: p.json<Record<string, unknown>>(),
    publishedBy: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('published_by')
        .deleteRule('no action')
        .updateRule('no action'),
    publishedAt: p.datetime().defaultRaw('now()'),
  },
  uniques: [{ properties: ['workflow', 'version'] }],
});
export type WorkflowVersion = InferEntity<typeof WorkflowVersion>;

/**
 * A secret a workflow's HTTP-request nodes use (a header's token), kept apart from the graph and
 * encrypted (AES-256-GCM, see secret-box.ts). The graph names it as `{{secret.<name>}}`; it is
 * never returned by any query, only whether it is set.
 */
export const WorkflowSecret = defineEntity({
  name: 'WorkflowSecret',
  tableName: 'workflow_secret',
  properties: {
    workflow: () => p.manyToOne(Workflow).ref().primary().deleteRule('cascade').updateRule('no action'),
    name: p.text().primary(),
    sealed: p.text(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});
export type WorkflowSecret = InferEntity<typeof WorkflowSecret>;
