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
  workflowContextOf,
} from '@docket/core';
import { type EntityManager, query, queryOne } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import type { TemplateRow, TemplateVersionRow } from '../graphql/loaders.ts';
import type { Services } from '../services.ts';
import { ticketNumberSequence } from './template-catalog.ts';

const TEMPLATE_COLUMNS = 'id, key, draft, latest_version, is_archived, created_at, updated_at';

function normalise(c: TemplateContent): TemplateContent {
  return {
    name: c.name.trim(),
    ...(c.description ? { description: c.description } : {}),
    categoryPath: c.categoryPath.map((l) => l.trim()),
    defaultPriority: c.defaultPriority,
    numberPattern: c.numberPattern,
    formSchema: c.formSchema,
    uiSchema: c.uiSchema ?? {},
    ...(c.workflowKey ? { workflowKey: c.workflowKey } : {}),
  };
}

function checkOrThrow(content: TemplateContent, extra: ReturnType<typeof checkTemplateKey> = []): void {
  const errors = [...extra, ...checkTemplateContent(content)];
  if (errors.length) throw new ValidationFailed(errors, 'The template was not saved: fix the fields listed.');
}

export async function createTemplate(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { key: string; content: TemplateContent },
): Promise<TemplateRow> {
  const staff = requireStaff(actor, 'template.manage');
  checkOrThrow(input.content, checkTemplateKey(input.key));
  const content = normalise(input.content);
  return em.transactional(async (tx) => {
    const clash = await queryOne(tx, 'select 1 from ticket_template where key = ?', [input.key]);
    if (clash)
      throw new ValidationFailed([
        fieldError('/key', 'taken', `A template with key "${input.key}" already exists.`),
      ]);
    const row = await queryOne<TemplateRow>(
      tx,
      `insert into ticket_template (key, draft, created_by) values (?, ?::jsonb, ?) returning ${TEMPLATE_COLUMNS}`,
      [input.key, JSON.stringify(content), staff.userId],
    );
    await query(tx, `create sequence ${ticketNumberSequence(row!.id)}`);
    services.templates.invalidate();
    return row!;
  });
}

async function loadTemplateForUpdate(tx: EntityManager, id: number): Promise<TemplateRow> {
  const row = await queryOne<TemplateRow>(
    tx,
    `select ${TEMPLATE_COLUMNS} from ticket_template where id = ? for update`,
    [id],
  );
  if (!row) throw new NotFoundError(`Template ${id}`, '/id');
  return row;
}

export async function updateTemplateDraft(
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; content: TemplateContent },
): Promise<TemplateRow> {
  requireStaff(actor, 'template.manage');
  checkOrThrow(input.content);
  return em.transactional(async (tx) => {
    await loadTemplateForUpdate(tx, input.id);
    return (await queryOne<TemplateRow>(
      tx,
      `update ticket_template set draft = ?::jsonb, updated_at = now() where id = ? returning ${TEMPLATE_COLUMNS}`,
      [JSON.stringify(normalise(input.content)), input.id],
    ))!;
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
  pinnedVersionId: number | null,
): Promise<number | null> {
  if (!content.workflowKey) return null;
  const wv = await queryOne<{ id: number; graph: WorkflowGraph }>(
    tx,
    pinnedVersionId !== null
      ? 'select v.id, v.graph from workflow_version v where v.id = ?'
      : `select v.id, v.graph from workflow w join workflow_version v on v.workflow_id = w.id and v.version = w.latest_version
          where w.key = ?`,
    [pinnedVersionId ?? content.workflowKey],
  );
  if (!wv)
    throw new ValidationFailed([
      fieldError(
        '/workflowKey',
        'not_published',
        `Workflow "${content.workflowKey}" does not exist or has no published version; publish it first.`,
      ),
    ]);
  const problems = validateWorkflow(wv.graph, workflowContextOf(content, nodeTypes));
  if (problems.length)
    throw new ValidationFailed(
      problems.map((p) => ({ ...p, path: `/workflowKey${p.path}` })),
      `Workflow "${content.workflowKey}" does not fit this template's form: ${problems[0]!.message}`,
    );
  return wv.id;
}

async function publishContent(
  tx: EntityManager,
  nodeTypes: NodeTypeRegistry,
  template: TemplateRow,
  content: TemplateContent,
  actor: StaffPrincipal,
  pinnedVersionId: number | null = null,
): Promise<TemplateVersionRow> {
  const version = template.latest_version + 1;
  const workflowVersionId = await pinWorkflow(tx, nodeTypes, content, pinnedVersionId);
  const row = await queryOne<TemplateVersionRow>(
    tx,
    `insert into ticket_template_version (template_id, version, content, published_by, workflow_version_id)
     values (?, ?, ?::jsonb, ?, ?) returning id, template_id, version, content, published_by, published_at, workflow_version_id`,
    [template.id, version, JSON.stringify(content), actor.userId, workflowVersionId],
  );
  await query(tx, 'update ticket_template set latest_version = ?, updated_at = now() where id = ?', [
    version,
    template.id,
  ]);
  return row!;
}

/** Freezes the draft as the next numbered version; tickets created from now on use it. */
export async function publishTemplate(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  id: number,
): Promise<TemplateVersionRow> {
  const staff = requireStaff(actor, 'template.manage');
  const version = await em.transactional(async (tx) => {
    const template = await loadTemplateForUpdate(tx, id);
    const content = template.draft as TemplateContent;
    checkOrThrow(content);
    return publishContent(tx, services.registries.nodeTypes.definitions, template, content, staff);
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
): Promise<TemplateVersionRow> {
  const staff = requireStaff(actor, 'template.manage');
  const version = await em.transactional(async (tx) => {
    const template = await loadTemplateForUpdate(tx, input.id);
    const earlier = await queryOne<TemplateVersionRow>(
      tx,
      'select content, workflow_version_id from ticket_template_version where template_id = ? and version = ?',
      [input.id, input.version],
    );
    if (!earlier) throw new NotFoundError(`Version ${input.version} of template ${input.id}`, '/version');
    await query(tx, 'update ticket_template set draft = ?::jsonb where id = ?', [
      JSON.stringify(earlier.content),
      input.id,
    ]);
    return publishContent(
      tx,
      services.registries.nodeTypes.definitions,
      template,
      earlier.content as TemplateContent,
      staff,
      earlier.workflow_version_id,
    );
  });
  services.templates.invalidate();
  return version;
}

export async function setTemplateArchived(
  services: Services,
  em: EntityManager,
  actor: Principal | null,
  input: { id: number; isArchived: boolean },
): Promise<TemplateRow> {
  requireStaff(actor, 'template.manage');
  const row = await queryOne<TemplateRow>(
    em,
    `update ticket_template set is_archived = ?, updated_at = now() where id = ? returning ${TEMPLATE_COLUMNS}`,
    [input.isArchived, input.id],
  );
  if (!row) throw new NotFoundError(`Template ${input.id}`, '/id');
  services.templates.invalidate();
  return row;
}
