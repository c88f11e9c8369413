import type { TadaDocumentNode } from 'gql.tada';
import { GraphQLRequestError, request } from '../../../graphql/client.ts';

/** What an admin mutation may answer instead of its result: a typed error with its fields. */
type Refusal = {
  __typename?: string;
  message?: string | null;
  fields?: readonly { path?: string | null; message?: string | null }[] | null;
};

const isRefusal = (v: unknown): v is Refusal =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Refusal).__typename === 'string' &&
  /Error$/.test((v as Refusal).__typename!);

/** The refusal's words: its message and each field's problem ("/name: A role needs a name."). */
export function refusalText(r: Refusal): string {
  const fields = (r.fields ?? []).map((f) => (f.path ? `${f.path}: ${f.message ?? ''}` : (f.message ?? '')));
  return [r.message ?? '', ...fields].filter(Boolean).join(' — ');
}

export type MutationOutcome<T> = { ok: true; data: T } | { ok: false; problem: string };

/**
 * Runs an admin mutation and says plainly whether it worked: the first field of the result is the
 * mutation's answer; a ValidationError, NotFoundError or ForbiddenError there (or a request that
 * failed) becomes a problem to show.
 */
export async function mutate<TResult, TVariables>(
  document: TadaDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<MutationOutcome<TResult>> {
  try {
    const run = request as (d: typeof document, v: TVariables) => Promise<TResult>;
    const data = await run(document, variables);
    for (const value of Object.values(data as Record<string, unknown>))
      if (isRefusal(value)) return { ok: false, problem: refusalText(value) };
    return { ok: true, data };
  } catch (e) {
    return { ok: false, problem: e instanceof GraphQLRequestError ? e.message : String(e) };
  }
}

/** A temporary password to hand over once: 14 characters without look-alikes. */
export function temporaryPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(14));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}
