import { benchDatabase, startServerProcess } from './bench-server.ts';

/**
 * The hostile-body attack of issue 11: 16 callers keep sending 1 MB bodies of directives and
 * aliases while /healthz and a logged-in query are timed. Baseline: the same probes with no attack,
 * in the same run. Target: p99 under 100 ms while the attack runs.
 */
const HOSTILE = [
  JSON.stringify({ query: `{ __typename ${'@include(if: true) '.repeat(50_000)} }` }),
  JSON.stringify({ query: `{ ${'a: __typename '.repeat(65_000)} }` }),
];

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function run() {
  const db = await benchDatabase();
  const server = await startServerProcess(db.url);
  try {
    const login = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          'mutation { login(email: "agent.a@docket.local", password: "docket-demo") { ... on Session { token } } }',
      }),
    });
    const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const probe = async (n: number) => {
      const health: number[] = [];
      const query: number[] = [];
      for (let i = 0; i < n; i++) {
        let t0 = performance.now();
        await (await fetch(`${server.url}/healthz`)).text();
        health.push(performance.now() - t0);
        t0 = performance.now();
        await (
          await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ query: '{ me { id } myTasks { id } }' }),
          })
        ).text();
        query.push(performance.now() - t0);
      }
      return { health, query };
    };
    await probe(20);
    const baseline = await probe(200);
    let isAttacking = true;
    let sent = 0;
    const attackers = Array.from({ length: 16 }, async (_, i) => {
      while (isAttacking) {
        await (
          await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: HOSTILE[i % 2] })
        ).text();
        sent++;
      }
    });
    const attacked = await probe(200);
    isAttacking = false;
    await Promise.all(attackers);
    return { baseline, attacked, sent };
  } finally {
    await server.stop();
    await db.drop();
  }
}

type Probe = { health: number[]; query: number[] };
export function report(r: { baseline: Probe; attacked: Probe; sent: number }): string[] {
  const line = (name: string, xs: number[], base: number[]) =>
    `${name}: p50 ${pct(xs, 0.5).toFixed(1)} ms, p99 ${pct(xs, 0.99).toFixed(1)} ms (no attack: p50 ${pct(base, 0.5).toFixed(1)}, p99 ${pct(base, 0.99).toFixed(1)}; target p99 < 100 ms)`;
  return [
    `16 callers sent ${r.sent} hostile 1 MB bodies while probing`,
    line('/healthz', r.attacked.health, r.baseline.health),
    line('logged-in query', r.attacked.query, r.baseline.query),
  ];
}
