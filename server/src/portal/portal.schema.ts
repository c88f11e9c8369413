import { orderedFieldKeys } from '@docket/core';
import { requireSignedIn } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { StatusCategoryEnum } from '../graphql/enums.ts';
import { findVisibleTicket, rereadTicket } from '../tickets/ticket-repository.ts';
import type { TicketRow } from '../tickets/ticket-row.ts';
import { type FieldUi, fieldText } from './field-text.ts';
import { publicEntries, publicFormKeys, templateOfTicket, ticketIdsOfCustomer } from './portal-repository.ts';
import {
  followedTicket,
  publicFormTemplate,
  replyByFollowLink,
  setPublicForm,
  submitPublicForm,
  urgeByFollowLink,
} from './public-form.ts';

/**
 * What the customer portal reads: its own types, built only from what a customer may see. No
 * internal note, internal field, workflow step or staff email is reachable from them.
 */

type PortalTicket = TicketRow & { followToken?: string };

/** Form fields marked "x-internal" in the template's form schema stay off the portal. */
function publicFormData(
  row: TicketRow,
  schema: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const props = (schema?.properties ?? {}) as Record<string, { 'x-internal'?: boolean }>;
  const data = row.form_data ?? {};
  // Only fields the form has, and none it marks internal.
  return Object.fromEntries(
    Object.keys(props)
      .filter((k) => k in data && !props[k]?.['x-internal'])
      .map((k) => [k, data[k]]),
  );
}

const PortalEntryRef = builder
  .objectRef<Awaited<ReturnType<typeof publicEntries>>[number]>('PortalTimelineEntry')
  .implement({
    description:
      'A public entry of a ticket as its requester sees it: what was said, by whom (a name), when.',
    fields: (t) => ({
      id: t.exposeID('id'),
      kind: t.exposeString('kind', { description: 'created, reply, assigned, ticket.urged, …' }),
      body: t.exposeString('body', { nullable: true }),
      isFromCustomer: t.boolean({ resolve: (e) => e.actor_kind === 'customer' }),
      author: t.string({ nullable: true, description: 'A name only.', resolve: (e) => e.author }),
      createdAt: t.field({ type: 'DateTime', resolve: (e) => e.created_at }),
    }),
  });

const PortalFieldRef = builder.objectRef<{ label: string; value: string }>('PortalField').implement({
  fields: (t) => ({ label: t.exposeString('label'), value: t.exposeString('value') }),
});

const PortalTicketRef = builder.objectRef<PortalTicket>('PortalTicket').implement({
  description: 'A ticket as its requester sees it in the portal.',
  fields: (t) => ({
    number: t.exposeString('number'),
    title: t.exposeString('title'),
    description: t.exposeString('description'),
    status: t.field({ type: StatusCategoryEnum, resolve: (r) => r.status }),
    statusName: t.exposeString('status_name', { nullable: true }),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.created_at }),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updated_at }),
    solvedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.solved_at }),
    templateName: t.string({
      nullable: true,
      resolve: async (r, _a, ctx) =>
        (await templateOfTicket(ctx.em, r.template_version_id))?.content.name ?? null,
    }),
    formData: t.field({
      type: 'JSON',
      description: 'The form as submitted, without fields the template marks internal.',
      resolve: async (r, _a, ctx) =>
        publicFormData(r, (await templateOfTicket(ctx.em, r.template_version_id))?.content.formSchema),
    }),
    details: t.field({
      type: [PortalFieldRef],
      description:
        'The public form data as label and text, in the form’s order: choices by their titles, yes/no answers in words of `locale` (en or zh-CN), groups as "Title: value" pairs.',
      args: { locale: t.arg.string({ defaultValue: 'en' }) },
      resolve: async (r, a, ctx) => {
        const content = (await templateOfTicket(ctx.em, r.template_version_id))?.content;
        const schema = content?.formSchema;
        const props = (schema?.properties ?? {}) as Record<string, Parameters<typeof fieldText>[0]>;
        const ui = (content?.uiSchema ?? {}) as Record<string, FieldUi | undefined>;
        const data = publicFormData(r, schema);
        return orderedFieldKeys(data, content?.uiSchema).map((key) => ({
          label: props[key]?.title ?? key,
          value: fieldText(props[key], data[key], { locale: a.locale, ui: ui[key] }),
        }));
      },
    }),
    timeline: t.field({
      type: [PortalEntryRef],
      description: 'Public entries only, oldest first.',
      resolve: (r, _a, ctx) => publicEntries(ctx.em, r.id),
    }),
    followToken: t.string({
      nullable: true,
      description: 'The private link token (in a receipt, or for the signed-in requester).',
      resolve: (r, _a, ctx) => r.followToken ?? ctx.services.portal.followLinks.tokenFor(r.id),
    }),
  }),
});

const PublicFormRef = builder
  .objectRef<{ key: string; name: string; description: string; formSchema: unknown; uiSchema: unknown }>(
    'PublicForm',
  )
  .implement({
    description: "A template's public form: what anyone may fill in without signing in.",
    fields: (t) => ({
      templateKey: t.exposeString('key'),
      name: t.exposeString('name'),
      description: t.exposeString('description'),
      formSchema: t.field({ type: 'JSON', resolve: (f) => f.formSchema }),
      uiSchema: t.field({ type: 'JSON', nullable: true, resolve: (f) => f.uiSchema ?? null }),
    }),
  });

const formOf = async (
  ctx: Parameters<typeof publicFormTemplate>[0],
  em: Parameters<typeof publicFormTemplate>[1],
  key: string,
) => {
  const t = await publicFormTemplate(ctx, em, key);
  return {
    key: t.key,
    name: t.content.name,
    description: t.content.description ?? '',
    formSchema: t.content.formSchema,
    uiSchema: t.content.uiSchema ?? null,
  };
};

const PublicFormSettingRef = builder
  .objectRef<{ templateKey: string; isEnabled: boolean }>('PublicFormSetting')
  .implement({
    description: "Whether a template's public form is on (at /portal/forms/<templateKey>).",
    fields: (t) => ({
      templateKey: t.exposeString('templateKey'),
      isEnabled: t.exposeBoolean('isEnabled'),
    }),
  });

const ContactInput = builder.inputType('PublicFormContact', {
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string(),
    phone: t.string(),
  }),
});

const PublicFormInputRef = builder.inputType('PublicFormInput', {
  fields: (t) => ({
    templateKey: t.string({ required: true }),
    title: t.string({ required: true }),
    description: t.string(),
    formData: t.field({ type: 'JSON', description: "Checked against the template's published form." }),
    contact: t.field({ type: ContactInput, required: true }),
  }),
});

builder.queryFields((t) => ({
  publicForms: t.field({
    type: [PublicFormRef],
    description: 'The public forms admins enabled (no login needed).',
    resolve: async (_r, _a, ctx) => {
      const keys = await publicFormKeys(ctx.em);
      const forms = await Promise.all(keys.map((k) => formOf(ctx.services, ctx.em, k).catch(() => null)));
      return forms.filter((f) => f !== null);
    },
  }),
  publicForm: t.field({
    type: PublicFormRef,
    nullable: true,
    description: 'One public form by its template key; null when it is not enabled.',
    args: { templateKey: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => formOf(ctx.services, ctx.em, a.templateKey).catch(() => null),
  }),
  followedTicket: t.field({
    type: PortalTicketRef,
    nullable: true,
    description:
      'The ticket a private follow link is for (no login needed); null for a link that is not valid.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => followedTicket(ctx.services.portal, ctx.em, a.token).catch(() => null),
  }),
  portalTickets: t.field({
    type: [PortalTicketRef],
    description: "The signed-in customer's own tickets, newest first.",
    args: { first: t.arg.int({ defaultValue: 50 }) },
    resolve: async (_r, a, ctx) => {
      const p = requireSignedIn(ctx.principal);
      if (p.kind !== 'customer') return [];
      const ids = await ticketIdsOfCustomer(ctx.em, p.customerId, Math.min(a.first ?? 50, 200));
      return Promise.all(ids.map((id) => rereadTicket(ctx.em, id)));
    },
  }),
  portalTicket: t.field({
    type: PortalTicketRef,
    nullable: true,
    description: "One of the signed-in customer's tickets by number; null for anyone else's.",
    args: { number: t.arg.string({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const p = requireSignedIn(ctx.principal);
      if (p.kind !== 'customer') return null;
      return findVisibleTicket(ctx.em, p, { number: a.number }).catch(() => null);
    },
  }),
}));

builder.mutationFields((t) => ({
  submitPublicForm: t.field({
    type: PortalTicketRef,
    errors: mutationErrors,
    description:
      'Submits a public form without signing in. The answer is the receipt: the number and followToken, the private link to follow the ticket. Limits: a few submissions per address per minute; 32 KB.',
    args: { input: t.arg({ type: PublicFormInputRef, required: true }) },
    resolve: async (_r, a, ctx) => {
      const { ticket, followToken } = await submitPublicForm(
        { ...ctx.services, ...ctx.services.portal },
        ctx.em,
        a.input,
        ctx.address,
      );
      return { ...ticket, followToken };
    },
  }),
  replyByFollowLink: t.field({
    type: PortalTicketRef,
    errors: mutationErrors,
    description: 'A public reply through a private follow link, as the ticket’s requester.',
    args: { token: t.arg.string({ required: true }), body: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => replyByFollowLink({ ...ctx.services, ...ctx.services.portal }, ctx.em, a),
  }),
  urgeByFollowLink: t.field({
    type: PortalTicketRef,
    errors: mutationErrors,
    description: 'The requester urges their ticket (催单) through its private link; limited per ticket.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_r, a, ctx) => urgeByFollowLink({ ...ctx.services, ...ctx.services.portal }, ctx.em, a.token),
  }),
  setPublicForm: t.field({
    type: PublicFormSettingRef,
    errors: mutationErrors,
    description: "Turns a template's public form on or off. Needs template.manage.",
    args: { templateKey: t.arg.string({ required: true }), isEnabled: t.arg.boolean({ required: true }) },
    resolve: async (_r, a, ctx) => {
      const keys = await setPublicForm(ctx.services, ctx.em, ctx.principal, a);
      return { templateKey: a.templateKey, isEnabled: keys.includes(a.templateKey) };
    },
  }),
}));
