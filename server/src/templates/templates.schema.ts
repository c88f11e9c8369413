import type { Priority, TemplateContent } from '@docket/core';
import type { TicketTemplate, TicketTemplateVersion } from '@docket/db';
import { hasPermission, requireSignedIn } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { PriorityEnum } from '../graphql/enums.ts';
import { templateVersionKey } from '../graphql/loaders.ts';
import { UserRef } from '../users/user-refs.ts';
import { findTemplate, listTemplates, nextTicketSequence } from './template-repository.ts';
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

export const TemplateVersionRef = builder.objectRef<TicketTemplateVersion>('TemplateVersion').implement({
  description: 'An immutable published version. Tickets stay on the version they were created from.',
  fields: (t) => ({
    id: t.exposeID('id'),
    version: t.exposeInt('version'),
    content: t.field({ type: TemplateContentRef, resolve: (v) => v.content }),
    publishedAt: t.field({ type: 'DateTime', resolve: (v) => v.publishedAt }),
    publishedBy: t.field({
      type: UserRef,
      nullable: true,
      resolve: (v, _a, ctx) => (v.publishedBy ? ctx.loaders.user.load(v.publishedBy.id) : null),
    }),
  }),
});

export const TemplateRef = builder.objectRef<TicketTemplate>('TicketTemplate').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    key: t.exposeString('key'),
    name: t.string({ resolve: (r) => String(r.draft.name ?? r.key) }),
    draft: t.field({ type: TemplateContentRef, resolve: (r) => r.draft }),
    latestVersion: t.int({ description: '0 while nothing is published.', resolve: (r) => r.latestVersion }),
    isArchived: t.exposeBoolean('isArchived'),
    nextSequence: t.int({
      nullable: true,
      description:
        "The counter the template's next ticket number takes ({seq} in its pattern). Only for those who manage templates.",
      resolve: (r, _a, ctx) =>
        hasPermission(ctx.principal, 'template.manage') ? nextTicketSequence(ctx.em, r.id) : null,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
    published: t.field({
      type: TemplateVersionRef,
      nullable: true,
      description: 'The newest published version.',
      resolve: (r, _a, ctx) =>
        r.latestVersion
          ? ctx.loaders.templateVersionByNumber.load(templateVersionKey(r.id, r.latestVersion))
          : null,
    }),
    version: t.field({
      type: TemplateVersionRef,
      nullable: true,
      args: { version: t.arg.int({ required: true }) },
      resolve: (r, a, ctx) => ctx.loaders.templateVersionByNumber.load(templateVersionKey(r.id, a.version)),
    }),
    versions: t.field({
      type: [TemplateVersionRef],
      description: 'Every published version, newest first.',
      resolve: async (r, _a, ctx) => (await ctx.loaders.templateVersions.load(r.id)) ?? [],
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
      return listTemplates(ctx.em, {
        canManage: hasPermission(p, 'template.manage'),
        includeArchived: a.includeArchived ?? false,
      });
    },
  }),
  template: t.field({
    type: TemplateRef,
    nullable: true,
    args: { id: t.arg.id(), key: t.arg.string() },
    resolve: async (_r, a, ctx) => {
      const p = requireSignedIn(ctx.principal);
      const canManage = hasPermission(p, 'template.manage');
      const template =
        a.id != null
          ? /^[0-9]{1,9}$/.test(String(a.id))
            ? await findTemplate(ctx.em, { id: Number(a.id) })
            : null
          : a.key != null
            ? await findTemplate(ctx.em, { key: a.key })
            : null;
      if (!template || (!canManage && (template.latestVersion === 0 || template.isArchived))) return null;
      return template;
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
    description:
      'Saves the draft. With expectedUpdatedAt, a draft changed since (by another admin) is not overwritten: the answer is a ValidationError with code draft_changed.',
    args: {
      id: t.arg.id({ required: true }),
      content: t.arg({ type: TemplateContentInput, required: true }),
      expectedUpdatedAt: t.arg({
        type: 'DateTime',
        description: "The draft's updatedAt as the caller last read it.",
      }),
    },
    resolve: (_r, a, ctx) =>
      updateTemplateDraft(ctx.em, ctx.principal, {
        id: Number(a.id),
        content: toContent(a.content),
        expectedUpdatedAt: a.expectedUpdatedAt ?? null,
      }),
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
