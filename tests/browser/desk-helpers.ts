import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import type { TestServer } from '../helpers/test-server.ts';

/** Signs a person in through the login form (staff, or a customer on the customer tab). */
export async function signIn(
  page: Page,
  baseUrl: string,
  email: string,
  options: { isCustomer?: boolean } = {},
) {
  await page.goto(`${baseUrl}/login${options.isCustomer ? '?as=customer' : ''}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('docket-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

const require = createRequire(import.meta.url);

/**
 * Runs axe-core in the page (its source injected, nothing fetched) and returns the serious and
 * critical violations, each as "rule: target".
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  // Colours are measured as they end: let transitions (a link's colour, a row's highlight) finish.
  await page.waitForTimeout(800);
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (el: Document, o: unknown) => Promise<unknown> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  })) as {
    violations: {
      id: string;
      impact: string | null;
      nodes: { target: string[]; failureSummary?: string }[];
    }[];
  };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map(
        (n) => `${v.id}: ${n.target.join(' ')} (${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()})`,
      ),
    );
}

/** A `returns` ticket the desk opened by phone for customer@example.com, as `staffEmail`. */
export async function createPhoneReturn(
  server: TestServer,
  staffEmail: string,
  title = 'Kettle leaks',
): Promise<{ id: string; number: string }> {
  const token = await server.login(staffEmail);
  const created = await server.gql<{ createTicket: { id?: string; number?: string; message?: string } }>(
    `mutation($i: CreateTicketInput!) { createTicket(input: $i) { ... on Ticket { id number } ... on Error { message } } }`,
    {
      i: {
        templateKey: 'returns',
        title,
        channel: 'phone',
        requester: { email: 'customer@example.com' },
        formData: validReturn,
      },
    },
    token,
  );
  const ticket = created.data!.createTicket;
  expect(ticket.number, ticket.message).toMatch(/^RT-/);
  return { id: ticket.id!, number: ticket.number! };
}

/** A port nobody listens on, to start a server on it twice (a restart on the same address). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  return port;
}
