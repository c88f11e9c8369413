import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { GraphQLRequestError, onUnauthenticated, request, restartStreams } from '../graphql/client.ts';
import { graphql } from '../graphql/graphql.ts';
import { type Access, accessOf } from './access.ts';
import { takeSessionAnswer, takeSessionRead } from './early-read.ts';
import { type Me, MeQuery } from './me.ts';

const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export type Session =
  | { status: 'loading' }
  /** The server could not be asked who is signed in (down, unreachable). */
  | { status: 'unreachable'; error: GraphQLRequestError; retry: () => void }
  | {
      status: 'ready';
      me: Me | null;
      /** The person logged out here (rather than the session ending by itself). */
      hasSignedOut: boolean;
      access: Access;
      /** After a successful login: the person the server answered with. */
      signedIn: (me: Me) => void;
      signOut: () => Promise<void>;
    };

const SessionContext = createContext<Session>({ status: 'loading' });

/** Asks the server who is signed in (the HttpOnly session cookie decides) and keeps the answer. */
export function SessionProvider({ children }: { children: ReactNode }) {
  // When the page's early read has answered already, the first render is the signed-in app itself.
  const [me, setMe] = useState<Me | null | undefined>(takeSessionAnswer);
  const isAnswered = useRef(me !== undefined);
  const [error, setError] = useState<GraphQLRequestError | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const [hasSignedOut, setSignedOut] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the question after a failure
  useEffect(() => {
    if (isAnswered.current) {
      isAnswered.current = false;
      return;
    }
    const controller = new AbortController();
    (takeSessionRead() ?? request(MeQuery, {}, { signal: controller.signal })).then(
      (data) => {
        if (controller.signal.aborted) return;
        setError(undefined);
        setMe(data.me ?? null);
      },
      (e: unknown) => {
        if (controller.signal.aborted) return;
        if (e instanceof GraphQLRequestError && e.status === 401) return setMe(null);
        setError(
          e instanceof GraphQLRequestError ? e : new GraphQLRequestError({ message: String(e), status: 0 }),
        );
      },
    );
    return () => controller.abort();
  }, [attempt]);

  // A session that ends meanwhile (expired, account deactivated) sends the person back to the login.
  useEffect(() => onUnauthenticated(() => setMe(null)), []);

  const signOut = useCallback(async () => {
    try {
      await request(LogoutMutation, {});
    } finally {
      // Subscriptions of the old session are not carried on under the new one.
      restartStreams();
      setSignedOut(true);
      setMe(null);
    }
  }, []);
  const signedIn = useCallback((person: Me) => {
    restartStreams();
    setSignedOut(false);
    setMe(person);
  }, []);
  const retry = useCallback(() => {
    setError(undefined);
    setAttempt((a) => a + 1);
  }, []);

  const session = useMemo<Session>(() => {
    if (error) return { status: 'unreachable', error, retry };
    if (me === undefined) return { status: 'loading' };
    return { status: 'ready', me, hasSignedOut, access: accessOf(me), signedIn, signOut };
  }, [me, hasSignedOut, error, retry, signOut, signedIn]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export const useSession = (): Session => useContext(SessionContext);

/** The session inside pages that only render once it is known (everything under the router). */
export function useReadySession(): Extract<Session, { status: 'ready' }> {
  const session = useSession();
  if (session.status !== 'ready') throw new Error('useReadySession is used before the session is known.');
  return session;
}
