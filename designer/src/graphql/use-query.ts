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

/** Runs a query when the component mounts and again when its variables change. */
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
    run(document, JSON.parse(key), { signal: controller.signal }).then(
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
