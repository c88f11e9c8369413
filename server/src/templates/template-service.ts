import {
  checkTemplateContent,
  checkTemplateKey,
  fieldError,
  type NodeTypeRegistry,
  type Principal,
  type StaffPrincipal,
  type TemplateContent,
  ValidationFailed,
  validateWorkflow,
  type WorkflowGraph,
  withFieldOrder,
  workflowContextOf,
} from '@docket/core';
import {
  type EntityManager,
  isUniqueViolation,
  LockMode,
  TicketTemplate,
  TicketTemplateVersion,
  User,
  type WorkflowVersion,
} from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { recordAdminChange } from '../audit/admin-audit.ts';
import { NotFoundError } from '../errors.ts';
import type { Services } from '../services.ts';
import { createTicketNumberSequence, latestWorkflowVersion } from './template-repository.ts';

/**
 * Ticket templates through the entity manager: drafts, numbered immutable versions (publish,
 * revert), archiving. Publishing locks the template row so versions are numbered one at a time.
 */

function normalise(c: TemplateContent): TemplateContent {
  return {
    name: c.name.trim(),
    ...(c.description ? { description: c.description } : {}),
    categoryPath: c.categoryPath.map((l) => l.trim()),
    defaultPriority: c.defaultPriority,
    numberPattern: c.numberPattern,
    formSchema: c.formSchema,
    // The fields' order as written: jsonb keeps keys in an order of its own.
    uiSchema: withFieldOrder(c.formSchema, c.uiSchema ?? {}),
    ...(c.workflowKey ? { workflowKey: c.workflowKey } : {}),
  };
}

function checkOrThrow(content: TemplateContent, extra: ReturnType<typeof checkTemplateKey> = []): void {
  const errors = [...extra, ...checkTemplateContent(content)];
  if (errors.length) throw new ValidationFailed(errors, 'The template was not saved: fix the fields listed.');
}

const keyTaken = (key: string) =>
  new ValidationFailed([fieldError('/key', 'taken', `A template with key "${key}" already exists.`)]);

export async function createTemplate(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { key: string; content: TemplateContent },
): Promise<TicketTemplate> {
  const staff = requireStaff(actor, 'template.manage');
  checkOrThrow(input.content, checkTemplateKey(input.key));
  const template = await em
    .transactional(async (tx) => {
      if (await tx.findOne(TicketTemplate, { key: input.key })) throw keyTaken(input.key);
      const template = tx.create(TicketTemplate, {
        key: input.key,
        draft: normalise(input.content),
        createdBy: tx.getReference(User, staff.userId),
      });
      await tx.flush();
      await createTicketNumberSequence(tx, template.id);
      recordAdminChange(tx, actor, {
        action: 'create',
        entityType: 'template',
        entityId: template.id,
        entityName: template.draft.name,
        diff: { key: { from: null, to: template.key } },
      });
      return template;
    })
    .catch((e: unknown) => {
      // Another admin took the key a moment ago.
      throw isUniqueViolation(e, 'ticket_template_key_key') ? keyTaken(input.key) : e;
    });
  services.templates.invalidate();
  return template;
}

/** The template, locked until the transaction ends (publishing numbers versions one at a time). */
async function lockTemplate(tx: EntityManager, id: number): Promise<TicketTemplate> {
  const template = await tx.findOne(TicketTemplate, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!template) throw new NotFoundError(`Template ${id}`, '/id');
  return template;
}

export async function updateTemplateDraft(
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; content: TemplateContent; expectedUpdatedAt?: Date | null },
): Promise<TicketTemplate> {
  requireStaff(actor, 'template.manage');
  checkOrThrow(input.content);
  return em.transactional(async (tx) => {
    const template = await lockTemplate(tx, input.id);
    // the caller saw updatedAt to the millisecond (as JavaScript dates are)
    if (input.expectedUpdatedAt && template.updatedAt.getTime() !== input.expectedUpdatedAt.getTime())
      throw new ValidationFailed(
        [
          fieldError(
            '/expectedUpdatedAt',
            'draft_changed',
            `The draft was changed at ${template.updatedAt.toISOString()} (by another admin, or in another window) after you last loaded it, so nothing was saved. Load that version, or save yours over it.`,
          ),
        ],
        'The draft was changed meanwhile; nothing was saved.',
      );
    template.draft = normalise(input.content);
    template.updatedAt = new Date();
    return template;
  });
}

/**
 * The workflow version a template version runs: the one an earlier version pinned (revert), or
 * the newest published version of the workflow the content names, checked against the form (its
 * conditions must type-check against these fields).
 */
async function pinWorkflow(
  tx: EntityManager,
  nodeTypes: NodeTypeRegistry,
  content: TemplateContent,
  pinned: WorkflowVersion | null,
): Promise<WorkflowVersion | null> {
  if (!content.workflowKey) return null;
  const wv = pinned ?? (await latestWorkflowVersion(tx, content.workflowKey));
  if (!wv)
    throw new ValidationFailed([
      fieldError(
        '/workflowKey',
        'not_published',
        `Workflow "${content.workflowKey}" does not exist or has no published version; publish it first.`,
      ),
    ]);
  const problems = validateWorkflow(wv.graph as WorkflowGraph, workflowContextOf(content, nodeTypes));
  if (problems.length)
    throw new ValidationFailed(
      problems.map((p) => ({ ...p, path: `/workflowKey${p.path}` })),
      `Workflow "${content.workflowKey}" does not fit this template's form: ${problems[0]!.message}`,
    );
  return wv;
}

/** Adds the next numbered version with this content; the caller holds the template's lock. */
async function publishContent(
  tx: EntityManager,
  input: {
    template: TicketTemplate;
    content: TemplateContent;
    actor: StaffPrincipal;
    pinned?: WorkflowVersion | null;
    /** The node types the pinned workflow is checked with. */
    nodeTypes: NodeTypeRegistry;
  },
): Promise<TicketTemplateVersion> {
  const { template, content } = input;
  const workflowVersion = await pinWorkflow(tx, input.nodeTypes, content, input.pinned ?? null);
  template.latestVersion += 1;
  template.updatedAt = new Date();
  return tx.create(TicketTemplateVersion, {
    template,
    version: template.latestVersion,
    content,
    publishedBy: tx.getReference(User, input.actor.userId),
    workflowVersion,
  });
}

/** Freezes the draft as the next numbered version; tickets created from now on use it. */
export async function publishTemplate(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  id: number,
): Promise<TicketTemplateVersion> {
  const staff = requireStaff(actor, 'template.manage');
  const version = await em.transactional(async (tx) => {
    const template = await lockTemplate(tx, id);
    checkOrThrow(template.draft);
    const version = await publishContent(tx, {
      template,
      content: template.draft,
      actor: staff,
      nodeTypes: services.registries.nodeTypes.definitions,
    });
    recordAdminChange(tx, actor, {
      action: 'update',
      entityType: 'template',
      entityId: template.id,
      entityName: template.draft.name,
      diff: { publishedVersion: { from: version.version - 1, to: version.version } },
    });
    return version;
  });
  services.templates.invalidate();
  return version;
}

/** Publishes an earlier version's content as the newest version, and makes it the draft too. */
export async function revertTemplate(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; version: number },
): Promise<TicketTemplateVersion> {
  const staff = requireStaff(actor, 'template.manage');
  const version = await em.transactional(async (tx) => {
    const template = await lockTemplate(tx, input.id);
    const earlier = await tx.findOne(
      TicketTemplateVersion,
      { template, version: input.version },
      { populate: ['workflowVersion'] },
    );
    if (!earlier) throw new NotFoundError(`Version ${input.version} of template ${input.id}`, '/version');
    template.draft = earlier.content;
    const version = await publishContent(tx, {
      template,
      content: earlier.content,
      actor: staff,
      pinned: earlier.workflowVersion?.getEntity() ?? null,
      nodeTypes: services.registries.nodeTypes.definitions,
    });
    recordAdminChange(tx, actor, {
      action: 'update',
      entityType: 'template',
      entityId: template.id,
      entityName: earlier.content.name,
      diff: {
        publishedVersion: { from: version.version - 1, to: version.version },
        revertedTo: { from: null, to: input.version },
      },
    });
    return version;
  });
  services.templates.invalidate();
  return version;
}

export async function setTemplateArchived(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; isArchived: boolean },
): Promise<TicketTemplate> {
  requireStaff(actor, 'template.manage');
  const template = await em.findOne(TicketTemplate, input.id);
  if (!template) throw new NotFoundError(`Template ${input.id}`, '/id');
  if (template.isArchived !== input.isArchived)
    recordAdminChange(em, actor, {
      action: 'update',
      entityType: 'template',
      entityId: template.id,
      entityName: template.draft.name,
      diff: { isArchived: { from: template.isArchived, to: input.isArchived } },
    });
  template.isArchived = input.isArchived;
  template.updatedAt = new Date();
  await em.flush();
  services.templates.invalidate();
  return template;
}
