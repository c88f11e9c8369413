import { useCallback, useState } from 'react';
import { type RefusalLike, type SplitRefusal, splitRefusal } from './refusal.ts';

type Typed = { __typename?: string };

/**
 * Sends a form's mutation and keeps what the server said: busy while it runs, then either the
 * accepted result (its __typename the one asked for) or the refusal, split for the page (a request
 * that fails outright becomes a refusal with its message).
 */
export function useSubmission() {
  const [isBusy, setIsBusy] = useState(false);
  const [refusal, setRefusal] = useState<SplitRefusal | null>(null);
  const submit = useCallback(
    async <T extends Typed, K extends string>(
      send: () => Promise<T | null | undefined>,
      accepted: K,
    ): Promise<Extract<T, { __typename: K }> | null> => {
      setIsBusy(true);
      setRefusal(null);
      let result: T | RefusalLike | null | undefined;
      try {
        result = await send();
      } catch (e) {
        result = { message: (e as Error).message };
      }
      setIsBusy(false);
      if (result && (result as Typed).__typename === accepted) return result as Extract<T, { __typename: K }>;
      setRefusal(splitRefusal(result as RefusalLike | null | undefined));
      return null;
    },
    [],
  );
  return { isBusy, refusal, submit };
}
