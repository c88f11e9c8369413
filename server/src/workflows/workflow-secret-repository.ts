import { type EntityManager, query } from '@docket/db';

/** The SQL of workflow secrets (sealed values; see workflow-secrets.ts). */

export type StoredSecret = { name: string; sealed: string; updated_at: Date };

export const workflowSecrets = (em: EntityManager, workflowId: number | string): Promise<StoredSecret[]> =>
  query<StoredSecret>(
    em,
    'select name, sealed, updated_at from workflow_secret where workflow_id = ?::int order by name',
    [workflowId],
  );

export async function saveWorkflowSecrets(
  em: EntityManager,
  workflowId: number | string,
  secrets: { name: string; sealed: string }[],
): Promise<void> {
  if (secrets.length === 0) return;
  await query(
    em,
    `insert into workflow_secret (workflow_id, name, sealed)
       select ?::int, x->>'name', x->>'sealed' from jsonb_array_elements(?::jsonb) x
     on conflict (workflow_id, name) do update set sealed = excluded.sealed, updated_at = now()`,
    [workflowId, JSON.stringify(secrets)],
  );
}

export const deleteWorkflowSecret = (em: EntityManager, workflowId: number | string, name: string) =>
  query(em, 'delete from workflow_secret where workflow_id = ?::int and name = ?', [workflowId, name]);

/** The secrets of the workflow an instance runs (its version's workflow). */
export const secretsOfInstance = (em: EntityManager, instanceId: string): Promise<StoredSecret[]> =>
  query<StoredSecret>(
    em,
    `select s.name, s.sealed, s.updated_at from workflow_instance i
       join workflow_version v on v.id = i.workflow_version_id
       join workflow_secret s on s.workflow_id = v.workflow_id
      where i.id = ?::uuid`,
    [instanceId],
  );
