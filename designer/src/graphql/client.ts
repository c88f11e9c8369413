import { print } from '@0no-co/graphql.web';
import type { TadaDocumentNode } from 'gql.tada';
import { EventStream } from './event-stream.ts';

/** An error entry as the server sends it: a message and, for known failures, a code. */
export type GraphQLErrorEntry = {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
};

/**
 * A request that did not give data: the server refused it (401 without a valid session, 403 for a
 * missing permission or a failed CSRF check, GraphQL errors) or could not be reached (code NETWORK).
 */
export class GraphQLRequestError extends Error {
  readonly code: string | undefined;
  readonly status: number;
  readonly errors: GraphQLErrorEntry[];

  constructor(input: { message: string; status: number; code?: string; errors?: GraphQLErrorEntry[] }) {
    super(input.message);
    this.name = 'GraphQLRequestError';
    this.code = input.code;
    this.status = input.status;
    this.errors = input.errors ?? [];
  }

  get isUnauthenticated(): boolean {
    return this.code === 'UNAUTHENTICATED';
  }

  get isForbidden(): boolean {
    return this.code === 'FORBIDDEN';
  }
}

// biome-ignore lint/suspicious/noExplicitAny: any document, whatever its result and variables
type AnyDocument = TadaDocumentNode<any, any>;

const printed = new WeakMap<AnyDocument, string>();
function textOf(document: AnyDocument): string {
  let text = printed.get(document);
  if (!text) {
    text = print(document);
    printed.set(document, text);
  }
  return text;
}

const unauthenticatedListeners = new Set<() => void>();

/** Called whenever the server says the caller is not (or no longer) signed in. */
export function onUnauthenticated(listener: () => void): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

function failureOf(status: number, body: unknown): GraphQLRequestError {
  const errors = (body as { errors?: GraphQLErrorEntry[] } | undefined)?.errors ?? [];
  const first = errors[0];
  const error = new GraphQLRequestError({
    message: first?.message ?? `The server answered ${status}.`,
    status,
    errors,
    ...(first?.extensions?.code ? { code: first.extensions.code } : {}),
  });
  if (error.isUnauthenticated || status === 401) for (const listener of unauthenticatedListeners) listener();
  return error;
}

let endpoint = '/graphql';
let extraHeaders: Record<string, string> = {};

/**
 * Where requests go and what they carry besides the session cookie. The app keeps the defaults
 * (its own server's /graphql); a test or a page with a token of its own (the wall) sets them.
 */
export function configureClient(options: { endpoint?: string; headers?: Record<string, string> }): void {
  if (options.endpoint) endpoint = options.endpoint;
  if (options.headers) extraHeaders = options.headers;
}

/**
 * Runs a query or mutation as same-origin JSON (the session cookie goes along; the server's CSRF
 * rule accepts it) and resolves with its data, typed by the document. Rejects with a
 * GraphQLRequestError when the server answers with errors or cannot be reached.
 */
export async function request<TResult, TVariables>(
  document: TadaDocumentNode<TResult, TVariables>,
  ...[variables, options]: TVariables extends Record<string, never>
    ? [variables?: TVariables, options?: { signal?: AbortSignal }]
    : [variables: TVariables, options?: { signal?: AbortSignal }]
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { ...extraHeaders, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: textOf(document), variables: variables ?? {} }),
      ...(options?.signal ? { signal: options.signal } : {}),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new GraphQLRequestError({ message: (e as Error).message, status: 0, code: 'NETWORK' });
  }
  let body: { data?: TResult | null; errors?: GraphQLErrorEntry[] } | undefined;
  try {
    body = (await response.json()) as typeof body;
  } catch {
    body = undefined;
  }
  if (!response.ok || !body || body.errors?.length || body.data == null)
    throw failureOf(response.status, body);
  return body.data;
}

export type Subscription = { unsubscribe: () => void };

/** The page's event streams, one for each endpoint and credentials (the app has one). */
const streams = new Map<string, EventStream>();

function streamOf(): EventStream {
  const key = `${endpoint} ${JSON.stringify(extraHeaders)}`;
  let stream = streams.get(key);
  if (!stream) {
    const created = new EventStream({
      url: `${endpoint}/stream`,
      headers: extraHeaders,
      failureOf,
      networkError: (message) => new GraphQLRequestError({ message, status: 0, code: 'NETWORK' }),
      onIdle: () => {
        if (streams.get(key) === created) streams.delete(key);
      },
    });
    streams.set(key, created);
    stream = created;
  }
  return stream;
}

/**
 * The signed-in person changed (login, logout): the live subscriptions move to new event streams,
 * reserved with the new credentials.
 */
export function restartStreams(): void {
  for (const stream of [...streams.values()]) stream.restart();
}

/**
 * Subscribes on the page's one event stream (graphql-sse's single connection mode at
 * <endpoint>/stream, shared by every subscription of the tab): onNext gets each result's data;
 * errors end the subscription with onError. When the stream drops, onReconnecting is told and the
 * subscription is started again on the next stream by itself (its first answer brings it up to date).
 */
export function subscribe<TResult, TVariables>(
  document: TadaDocumentNode<TResult, TVariables>,
  variables: TVariables,
  handlers: {
    onNext: (data: TResult) => void;
    onError?: (error: GraphQLRequestError) => void;
    onComplete?: () => void;
    onReconnecting?: (error: GraphQLRequestError) => void;
    /** The server took it (again, after the stream dropped): it hears changes from about now. */
    onStarted?: () => void;
  },
): Subscription {
  let isDone = false;
  const stop = streamOf().start(
    { query: textOf(document), variables: variables ?? {} },
    {
      onResult: (result) => {
        if (isDone) return;
        const errors = result.errors as GraphQLErrorEntry[] | undefined;
        if (errors?.length) {
          isDone = true;
          stop();
          handlers.onError?.(failureOf(200, result));
          return;
        }
        if (result.data != null) handlers.onNext(result.data as TResult);
      },
      onError: (error) => {
        if (isDone) return;
        isDone = true;
        handlers.onError?.(error as GraphQLRequestError);
      },
      onComplete: () => {
        if (isDone) return;
        isDone = true;
        handlers.onComplete?.();
      },
      onReconnecting: (error) => {
        if (!isDone) handlers.onReconnecting?.(error as GraphQLRequestError);
      },
      onStarted: () => {
        if (!isDone) handlers.onStarted?.();
      },
    },
  );
  return {
    unsubscribe: () => {
      isDone = true;
      stop();
    },
  };
}
