import type { Priority, TemplateContent } from '@docket/core';
import { query, queryOne } from '@docket/db';
import { hasPermission, requireSignedIn } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { PriorityEnum } from '../graphql/enums.ts';
import type { TemplateRow, TemplateVersionRow } from '../graphql/loaders.ts';
import { UserRef } from '../users/users.schema.ts';
import {
  createTemplate,
  publishTemplate,
  revertTemplate,
  setTemplateArchived,
  updateTemplateDraft,
} from './template-service.ts';

export const TemplateContentRef = builder.objectRef<TemplateContent>('TemplateContent').implement({
  description: 'A template draft or version: what tickets of this template look like and carry.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.string({ nullable: true, resolve: (c) => c.description ?? null }),
    categoryPath: t.exposeStringList('categoryPath'),
    defaultPriority: t.field({ type: PriorityEnum, resolve: (c) => c.defaultPriority }),
    numberPattern: t.exposeString('numberPattern'),
    formSchema: t.field({ type: 'JSON', resolve: (c) => c.formSchema }),
    uiSchema: t.field({ type: 'JSON', resolve: (c) => c.uiSchema ?? {} }),
    workflowKey: t.string({ nullable: true, resolve: (c) => c.workflowKey ?? null }),
  }),
});

export const TemplateVersionRef = builder.objectRef<TemplateVersionRow>('TemplateVersion').implement({
  description: 'An immutable published version. Tickets stay on the version they were created from.',
  fields: (t) => ({
    id: t.exposeID('id'),
    version: t.exposeInt('version'),
    content: t.field({ type: TemplateContentRef, resolve: (v) => v.content as TemplateContent }),
    publishedAt: t.field({ type: 'DateTime', resolve: (v) => v.published_at }),
    publishedBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (v, _a, ctx) => (v.published_by ? ctx.loaders.user.load(v.published_by) : null),
    }),
  }),
});

export const TemplateRef = builder.objectRef<TemplateRow>('TicketTemplate').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    name: t.string({ resolve: (r) => String(r.draft.name ?? r.key) }),
    draft: t.field({ type: TemplateContentRef, resolve: (r) => r.draft as TemplateContent }),
    latestVersion: t.int({ description: '0 while nothing is published.', resolve: (r) => r.latest_version }),
    isArchived: t.exposeBoolean('is_archived'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updated_at }),
    published: t.field({
      type: TemplateVersionRef,
      nullable: true,
      description: 'The newest published version.',
      resolve: (r, _a, ctx) =>
        r.latest_version
          ? queryOne<TemplateVersionRow>(
              ctx.em,
              'select * from ticket_template_version where template_id = ? and version = ?',
              [r.id, r.latest_version],
            ).then((v) => v ?? null)
          : null,
    }),
    version: t.field({
      type: TemplateVersionRef,
      nullable: true,
      args: { version: t.arg.int({ required: true }) },
      resolve: (r, a, ctx) =>
        queryOne<TemplateVersionRow>(
          ctx.em,
          'select * from ticket_template_version where template_id = ? and version = ?',
          [r.id, a.version],
        ).then((v) => v ?? null),
    }),
    versions: t.field({
      type: [TemplateVersionRef],
      description: 'Every published version, newest first.',
      resolve: (r, _a, ctx) =>
        query<TemplateVersionRow>(
          ctx.em,
          'select * from ticket_template_version where template_id = ? order by version desc',
          [r.id],
        ),
    }),
  }),
});

const TemplateContentInput = builder.inputType('TemplateContentInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    description: t.string(),
    categoryPath: t.stringList({ required: true, description: 'One to four levels.' }),
    defaultPriority: t.field({ type: PriorityEnum, required: true }),
    numberPattern: t.string({ required: true, description: 'e.g. RT-{yyyyMMdd}-{seq:6}' }),
    formSchema: t.field({
      type: 'JSON',
      required: true,
      description: 'JSON Schema of the form (type object).',
    }),
    uiSchema: t.field({ type: 'JSON', description: 'rjsf uiSchema.' }),
    workflowKey: t.string({
      description: "The workflow its tickets run; publishing pins that workflow's newest published version.",
    }),
  }),
});

const toContent = (c: {
  name: string;
  description?: string | null;
  categoryPath: string[];
  defaultPriority: Priority;
  numberPattern: string;
  formSchema?: unknown;
  uiSchema?: unknown;
  workflowKey?: string | null;
}): TemplateContent => ({
  name: c.name,
  ...(c.description ? { description: c.description } : {}),
  categoryPath: c.categoryPath,
  defaultPriority: c.defaultPriority,
  numberPattern: c.numberPattern,
  formSchema: c.formSchema as TemplateContent['formSchema'],
  uiSchema: (c.uiSchema ?? {}) as Record<string, unknown>,
  ...(c.workflowKey ? { workflowKey: c.workflowKey } : {}),
});

builder.queryFields((t) => ({
  templates: t.field({
    type: [TemplateRef],
    description: 'Ticket templates. Customers and agents see only published, unarchived ones.',
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_r, a, ctx) => {
      const p = requireSignedIn(ctx.principal);
      const canManage = hasPermission(p, 'template.manage');
      const where = [
        canManage ? 'true' : 'latest_version > 0',
        a.includeArchived && canManage ? 'true' : 'not is_archived',
      ];
      return query<TemplateRow>(
        ctx.em,
        `select * from ticket_template where ${where.join(' and ')} order by key`,
      );
    },
  }),
  template: t.field({
    type: TemplateRef,
    nullable: true,
    args: { id: t.arg.id(), key: t.arg.string() },
    resolve: async (_r, a, ctx) => {
      const p = requireSignedIn(ctx.principal);
      const canManage = hasPermission(p, 'template.manage');
      const row = await queryOne<TemplateRow>(
        ctx.em,
        `select * from ticket_template where ${a.id != null ? 'id = ?' : 'key = ?'}`,
        [a.id != null ? Number(a.id) : a.key],
      );
      if (!row || (!canManage && (row.latest_version === 0 || row.is_archived))) return null;
      return row;
    },
  }),
}));

builder.mutationFields((t) => ({
  createTemplate: t.field({
    type: TemplateRef,
    errors: mutationErrors,
    args: {
      key: t.arg.string({ required: true }),
      content: t.arg({ type: TemplateContentInput, required: true }),
    },
    resolve: (_r, a, ctx) =>
      createTemplate(ctx.services, ctx.em, ctx.principal, { key: a.key, content: toContent(a.content) }),
  }),
  updateTemplateDraft: t.field({
    type: TemplateRef,
    errors: mutationErrors,
    args: {
      id: t.arg.id({ required: true }),
      content: t.arg({ type: TemplateContentInput, required: true }),
    },
    resolve: (_r, a, ctx) =>
      updateTemplateDraft(ctx.em, ctx.principal, { id: Number(a.id), content: toContent(a.content) }),
  }),
  publishTemplate: t.field({
    type: TemplateVersionRef,
    errors: mutationErrors,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, a, ctx) => publishTemplate(ctx.services, ctx.em, ctx.principal, Number(a.id)),
  }),
  revertTemplate: t.field({
    type: TemplateVersionRef,
    errors: mutationErrors,
    description: "Publishes an earlier version's content as the newest version.",
    args: { id: t.arg.id({ required: true }), version: t.arg.int({ required: true }) },
    resolve: (_r, a, ctx) =>
      revertTemplate(ctx.services, ctx.em, ctx.principal, { id: Number(a.id), version: a.version }),
  }),
  setTemplateArchived: t.field({
    type: TemplateRef,
    errors: mutationErrors,
    args: { id: t.arg.id({ required: true }), isArchived: t.arg.boolean({ required: true }) },
    resolve: (_r, a, ctx) =>
      setTemplateArchived(ctx.services, ctx.em, ctx.principal, {
        id: Number(a.id),
        isArchived: a.isArchived,
      }),
  }),
}));
