import type { TadaDocumentNode } from 'gql.tada';
import { useCallback, useEffect, useState } from 'react';
import { GraphQLRequestError, request } from './client.ts';

export type QueryState<TResult> = {
  data: TResult | undefined;
  error: GraphQLRequestError | undefined;
  isLoading: boolean;
  /** Runs the query again (after a change, or from a "try again" button). */
  refetch: () => void;
};

// biome-ignore lint/suspicious/noExplicitAny: any document, whatever its result and variables
type AnyDocument = TadaDocumentNode<any, any>;

/** How long a prefetched answer waits for the component that reads it. */
const PREFETCH_TTL_MS = 10_000;
const prefetched = new WeakMap<AnyDocument, Map<string, { answer: Promise<unknown>; at: number }>>();

/**
 * Starts a query before the component that reads it is on the page (its code still loading, say):
 * that component's useQuery with the same variables takes the answer over instead of asking
 * again, once, within PREFETCH_TTL_MS. A failure is the component's to show, as its own would be.
 */
export function prefetchQuery<TResult, TVariables>(
  document: TadaDocumentNode<TResult, TVariables>,
  variables: TVariables,
): void {
  const key = JSON.stringify(variables ?? {});
  let byVariables = prefetched.get(document);
  if (!byVariables) {
    byVariables = new Map();
    prefetched.set(document, byVariables);
  }
  if (byVariables.has(key)) return;
  const answer = (request as (d: typeof document, v: unknown) => Promise<TResult>)(document, variables);
  const entry = { answer, at: Date.now() };
  byVariables.set(key, entry);
  // Handled by whoever takes it over; a prefetch nobody took over must not count as unhandled.
  // A refused one (asked before signing in) is forgotten: the page asks afresh once it is shown.
  answer.catch(() => {
    if (byVariables.get(key) === entry) byVariables.delete(key);
  });
}

function takePrefetched(document: AnyDocument, key: string): Promise<unknown> | undefined {
  const byVariables = prefetched.get(document);
  const entry = byVariables?.get(key);
  if (!entry) return undefined;
  byVariables?.delete(key);
  return Date.now() - entry.at <= PREFETCH_TTL_MS ? entry.answer : undefined;
}

/**
 * Runs a query when the component mounts and again when its variables change (or takes over the
 * answer of a prefetchQuery of the same query and variables).
 */
export function useQuery<TResult, TVariables>(
  document: TadaDocumentNode<TResult, TVariables>,
  variables: TVariables,
): QueryState<TResult> {
  const [state, setState] = useState<Omit<QueryState<TResult>, 'refetch'>>({
    data: undefined,
    error: undefined,
    isLoading: true,
  });
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables ?? {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: the variables are compared by their JSON text; generation forces a refetch
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, isLoading: true }));
    const run = request as (d: typeof document, v: unknown, o: { signal: AbortSignal }) => Promise<TResult>;
    const answer =
      (takePrefetched(document, key) as Promise<TResult> | undefined) ??
      run(document, JSON.parse(key), { signal: controller.signal });
    answer.then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, isLoading: false });
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        const error =
          e instanceof GraphQLRequestError
            ? e
            : new GraphQLRequestError({ message: String((e as Error)?.message ?? e), status: 0 });
        setState({ data: undefined, error, isLoading: false });
      },
    );
    return () => controller.abort();
  }, [document, key, generation]);

  const refetch = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, refetch };
}
