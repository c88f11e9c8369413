import { readEventStream } from '../helpers/event-stream.ts';
import type { TestServer } from '../helpers/test-server.ts';

export { waitFor } from '../helpers/wait.ts';

/** GraphQL and helpers the SLA suites share. */

export const CLOCKS = `slaClocks {
  metric status priority targetSeconds calendarKey dueAt businessSecondsLeft countdown consumedSeconds
  startedAt pausedAt breachedAt endedAt
  history { kind at reason dueAt noticedAt from { priority targetSeconds dueAt } to { priority targetSeconds dueAt } }
}`;

export type ClockView = {
  metric: string;
  status: string;
  priority: string;
  targetSeconds: number | null;
  calendarKey: string | null;
  dueAt: string | null;
  businessSecondsLeft: number | null;
  countdown: string | null;
  consumedSeconds: number;
  startedAt: string;
  pausedAt: string | null;
  breachedAt: string | null;
  endedAt: string | null;
  history: {
    kind: string;
    at: string;
    reason: string;
    dueAt: string | null;
    noticedAt: string | null;
    from: { priority: string; targetSeconds: number | null; dueAt: string | null } | null;
    to: { priority: string; targetSeconds: number | null; dueAt: string | null } | null;
  }[];
};

export const CREATE = `mutation($i: CreateTicketInput!) { createTicket(input: $i) {
  __typename ... on Ticket { id number priority slaPolicyName } ... on Error { message } } }`;

export const MINUTE = 60_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

export async function createTicket(
  s: TestServer,
  token: string,
  input: Record<string, unknown>,
): Promise<{ id: string; number: string; priority: string; slaPolicyName: string | null }> {
  const r = await s.gql(CREATE, { i: input }, token);
  const t = r.data?.createTicket;
  if (t?.__typename !== 'Ticket') throw new Error(`createTicket failed: ${JSON.stringify(r)}`);
  return t;
}

/** Creates an SLA policy that must be accepted; returns its id. */
export async function createSlaPolicy(
  s: TestServer,
  token: string,
  input: Record<string, unknown>,
): Promise<string> {
  const r = await s.gql(
    `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) {
       __typename ... on SlaPolicy { id } ... on ValidationError { fields { path message } } ... on Error { message } } }`,
    { i: input },
    token,
  );
  const policy = r.data?.createSlaPolicy;
  if (policy?.__typename !== 'SlaPolicy') throw new Error(`createSlaPolicy failed: ${JSON.stringify(r)}`);
  return policy.id;
}

/** A ticket's clocks by metric: first response and resolution start with every open ticket. */
export type TicketClocks = {
  first_response: ClockView;
  resolution: ClockView;
  next_response?: ClockView;
  periodic_update?: ClockView;
};

export async function clocksOf(s: TestServer, token: string, id: string): Promise<TicketClocks> {
  const r = await s.gql(`query($id: ID!) { ticket(id: $id) { ${CLOCKS} } }`, { id }, token);
  if (!r.data?.ticket) throw new Error(`ticket ${id}: ${JSON.stringify(r)}`);
  const byMetric = Object.fromEntries((r.data.ticket.slaClocks as ClockView[]).map((c) => [c.metric, c]));
  if (!byMetric.first_response || !byMetric.resolution)
    throw new Error(`ticket ${id} lacks its first response or resolution clock: ${JSON.stringify(byMetric)}`);
  return byMetric as TicketClocks;
}

export async function timelineOf(
  s: TestServer,
  token: string,
  id: string,
): Promise<{ kind: string; body: string | null; diff: any; actorKind: string; createdAt: string }[]> {
  const r = await s.gql(
    'query($id: ID!) { ticket(id: $id) { timeline { kind body diff actorKind createdAt } } }',
    { id },
    token,
  );
  return r.data!.ticket.timeline;
}

export async function notificationsOf(
  s: TestServer,
  token: string,
): Promise<{ ticketId: string | null; subject: string | null; body: string }[]> {
  const r = await s.gql('{ myNotifications(first: 200) { ticketId subject body } }', {}, token);
  if (!r.data) throw new Error(JSON.stringify(r));
  return r.data.myNotifications;
}

export async function userId(s: TestServer, email: string): Promise<number> {
  return (await s.sql<{ id: number }>('select id from app_user where email = ?', [email]))[0]!.id;
}

export async function orgUnitId(s: TestServer, prefix: string): Promise<number> {
  return (await s.sql<{ id: number }>('select id from org_unit where name like ?', [`${prefix}%`]))[0]!.id;
}

/**
 * A GraphQL subscription over server-sent events: `next()` gives each pushed result in order.
 * `close()` ends it.
 */
export async function subscribe(
  s: TestServer,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<{
  next: (timeoutMs?: number) => Promise<{ data?: any; errors?: any[] }>;
  close: () => void;
  status: number;
}> {
  const abort = new AbortController();
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const queue: { data?: any; errors?: any[] }[] = [];
  const waiters: ((v: { data?: any; errors?: any[] }) => void)[] = [];
  const push = (v: { data?: any; errors?: any[] }) => {
    const w = waiters.shift();
    if (w) w(v);
    else queue.push(v);
  };
  void readEventStream(res.body, ({ data }) => push(JSON.parse(data)));
  return {
    status: res.status,
    next: (timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const ready = queue.shift();
        if (ready) return resolve(ready);
        const timer = setTimeout(() => reject(new Error('no subscription event in time')), timeoutMs);
        waiters.push((v) => {
          clearTimeout(timer);
          resolve(v);
        });
      }),
    close: () => abort.abort(),
  };
}
