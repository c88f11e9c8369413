import { fieldError, type Principal, ValidationFailed, type WorkflowGraph } from '@docket/core';
import { type EntityManager, query, type SecretBox } from '@docket/db';
import { requireStaff } from '../access/policy.ts';
import {
  deleteWorkflowSecret,
  saveWorkflowSecrets,
  secretsOfInstance,
  workflowSecrets,
} from './workflow-secret-repository.ts';

/**
 * Secrets of a workflow's HTTP-request nodes (tokens in headers) live apart from the graph,
 * sealed with the server's key. The graph names one as `{{secret.<name>}}` inside a header value
 * ("Bearer {{secret.crm_token}}"); the outbound call fills it in just before it is made, so the
 * value is in no graph, no stored request and no answer. A draft saved with a token written into
 * a credential-like header (Authorization, X-Api-Key, ...) has it moved out at once.
 */

const REF = /\{\{\s*secret\.([A-Za-z0-9_.-]{1,100})\s*\}\}/g;
const HAS_REF = /\{\{\s*secret\./;
const NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const CREDENTIAL_HEADER = /auth|token|key|secret|password|cookie|signature|credential/i;
const MAX_VALUE = 8_000;

/** The secret names a graph refers to. */
export function referencedSecrets(graph: WorkflowGraph | null | undefined): Set<string> {
  const names = new Set<string>();
  for (const node of graph?.nodes ?? []) {
    const headers = (node.config as { headers?: unknown } | undefined)?.headers;
    if (!headers || typeof headers !== 'object') continue;
    for (const value of Object.values(headers as Record<string, unknown>))
      if (typeof value === 'string') for (const m of value.matchAll(REF)) names.add(m[1]!);
  }
  return names;
}

/**
 * The graph with each credential-like header value of its HTTP-request nodes replaced by a
 * reference, and the values it held (to be sealed), named `<node id>.<header>`.
 */
export function moveSecretsOut(graph: WorkflowGraph): { graph: WorkflowGraph; moved: Map<string, string> } {
  const moved = new Map<string, string>();
  const nodes = graph.nodes.map((node) => {
    const config = node.config as { headers?: unknown } | undefined;
    if (node.type !== 'http_request' || !config?.headers || typeof config.headers !== 'object') return node;
    let changed = false;
    const headers: Record<string, unknown> = {};
    for (const [header, value] of Object.entries(config.headers as Record<string, unknown>)) {
      if (
        typeof value === 'string' &&
        value !== '' &&
        CREDENTIAL_HEADER.test(header) &&
        !HAS_REF.test(value)
      ) {
        const name = `${node.id}.${header.toLowerCase()}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);
        moved.set(name, value);
        headers[header] = `{{secret.${name}}}`;
        changed = true;
      } else headers[header] = value;
    }
    return changed ? { ...node, config: { ...config, headers } } : node;
  });
  return { graph: moved.size ? { ...graph, nodes } : graph, moved };
}

/** Seals and stores the values moveSecretsOut took out of a draft. */
export async function storeMovedSecrets(
  em: EntityManager,
  box: SecretBox,
  workflowId: number | string,
  moved: Map<string, string>,
): Promise<void> {
  await saveWorkflowSecrets(
    em,
    workflowId,
    [...moved].map(([name, value]) => ({ name, sealed: box.seal({ value }) })),
  );
}

export type WorkflowSecretState = { name: string; isSet: boolean; updatedAt: Date | null; isUsed: boolean };

/** Every secret the workflow keeps or its draft names: set or not, never the value. */
export async function secretStates(
  em: EntityManager,
  workflowId: number,
  draft: WorkflowGraph,
): Promise<WorkflowSecretState[]> {
  const used = referencedSecrets(draft);
  const stored = await workflowSecrets(em, workflowId);
  const states = new Map<string, WorkflowSecretState>();
  for (const s of stored)
    states.set(s.name, { name: s.name, isSet: true, updatedAt: s.updated_at, isUsed: used.has(s.name) });
  for (const name of used)
    if (!states.has(name)) states.set(name, { name, isSet: false, updatedAt: null, isUsed: true });
  return [...states.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Sets (or, with a null value, removes) one secret of a workflow. */
export async function setWorkflowSecret(
  em: EntityManager,
  box: SecretBox,
  actor: Principal | null,
  input: { workflowId: number | string; name: string; value?: string | null },
): Promise<void> {
  requireStaff(actor, 'workflow.manage');
  if (!NAME.test(input.name))
    throw new ValidationFailed([
      fieldError('/name', 'invalid', 'A secret name has 1 to 100 letters, digits, ".", "_" or "-".'),
    ]);
  if (input.value == null) {
    await deleteWorkflowSecret(em, input.workflowId, input.name);
    return;
  }
  if (input.value.length > MAX_VALUE)
    throw new ValidationFailed([
      fieldError('/value', 'too_long', `A secret may have at most ${MAX_VALUE} characters.`),
    ]);
  await saveWorkflowSecrets(em, input.workflowId, [
    { name: input.name, sealed: box.seal({ value: input.value }) },
  ]);
}

/**
 * The headers of an outbound call with its workflow's secrets filled in; a reference to a secret
 * that is not set is an error naming it (the call is not made).
 */
export async function fillSecrets(
  em: EntityManager,
  box: SecretBox,
  instanceId: string,
  headers: Record<string, string> | undefined,
): Promise<Record<string, string> | { error: string }> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  const needed = Object.values(headers).some((v) => typeof v === 'string' && v.includes('{{'));
  const values = new Map<string, string>();
  if (needed)
    for (const s of await secretsOfInstance(em, instanceId))
      values.set(s.name, box.open(s.sealed).value ?? '');
  for (const [header, value] of Object.entries(headers)) {
    let missing: string | null = null;
    out[header] = String(value).replace(REF, (_m, name: string) => {
      const v = values.get(name);
      if (v === undefined) missing = name;
      return v ?? '';
    });
    if (missing)
      return { error: `The workflow secret "${missing}" is not set: set it in the workflow's secrets.` };
  }
  return out;
}

/**
 * Seals what older versions stored in plaintext: graphs (drafts and published versions) saved
 * before secrets were kept apart, with tokens written into credential-like headers of their
 * HTTP-request nodes. Each value is sealed into the workflow's secrets and the graph rewritten to
 * refer to it, so no query returns it and the engine still sends it. Runs at start, in one
 * transaction; a later start finds nothing to do. A published version whose value differs from
 * the draft's (or an earlier version's) under the same name gets its own name (`….v<version>`).
 * Returns how many values it sealed.
 */
export async function sealPlaintextSecrets(em: EntityManager, box: SecretBox): Promise<number> {
  return em.transactional(async (tx) => {
    const rows = [
      ...(await query<{ workflow_id: number; version: number | null; graph: WorkflowGraph }>(
        tx,
        `select id as workflow_id, null::int as version, draft as graph from workflow
          where draft::text like '%http_request%' order by id for update`,
      )),
      ...(await query<{ workflow_id: number; version: number | null; graph: WorkflowGraph }>(
        tx,
        `select workflow_id, version, graph from workflow_version
          where graph::text like '%http_request%' order by workflow_id, version for update`,
      )),
    ];
    let sealed = 0;
    const known = new Map<number, Map<string, string>>();
    for (const row of rows) {
      const { graph, moved } = moveSecretsOut(row.graph);
      if (moved.size === 0) continue;
      let values = known.get(row.workflow_id);
      if (!values) {
        values = new Map(
          (await workflowSecrets(tx, row.workflow_id)).map((s) => [s.name, box.open(s.sealed).value ?? '']),
        );
        known.set(row.workflow_id, values);
      }
      let text = JSON.stringify(graph);
      const toStore: { name: string; sealed: string }[] = [];
      for (const [name, value] of moved) {
        let stored = name;
        if (values.has(name) && values.get(name) !== value && row.version !== null) {
          stored = `${name}.v${row.version}`.slice(0, 100);
          text = text.replaceAll(`{{secret.${name}}}`, `{{secret.${stored}}}`);
        }
        if (values.get(stored) === value) continue;
        values.set(stored, value);
        toStore.push({ name: stored, sealed: box.seal({ value }) });
      }
      await saveWorkflowSecrets(tx, row.workflow_id, toStore);
      sealed += toStore.length;
      if (row.version === null)
        await query(tx, 'update workflow set draft = ?::jsonb where id = ?', [text, row.workflow_id]);
      else
        await query(
          tx,
          'update workflow_version set graph = ?::jsonb where workflow_id = ? and version = ?',
          [text, row.workflow_id, row.version],
        );
    }
    return sealed;
  });
}
