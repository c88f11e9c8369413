import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { clocksOf, createTicket, timelineOf } from './sla-fixtures.ts';

const UPDATE = `mutation($id: ID!, $status: StatusCategory, $statusName: String) {
  updateTicket(id: $id, status: $status, statusName: $statusName) {
    __typename ... on Ticket { status statusName }
    ... on ValidationError { message fields { path code message } } } }`;
const CREATE_STATUS = `mutation($n: String!, $c: StatusCategory!) { createTicketStatus(name: $n, category: $c) {
  __typename ... on TicketStatus { name category isActive } ... on ValidationError { fields { path code message } } } }`;

/**
 * Named statuses: "Waiting for parts" within on_hold. An SLA policy pauses its resolution clock
 * in the statuses it names; the category alone does not (on_hold counts, pending does not).
 */
describe(`named statuses and SLA pause statuses (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  it('keeps named statuses within their categories; only those who manage templates add them', async () => {
    const listed = await s.gql('{ ticketStatuses { name category position isActive } }', {}, agent);
    expect(listed.data!.ticketStatuses.map((x: { name: string }) => x.name)).toEqual([
      'Awaiting customer reply',
      'Waiting for parts',
      'Engineer visit booked',
      'Refunded',
      'Return declined',
    ]);
    const denied = await s.gql(CREATE_STATUS, { n: 'Mine', c: 'open' }, agent);
    expect(denied.data!.createTicketStatus.__typename).toBe('ForbiddenError');
    const taken = await s.gql(CREATE_STATUS, { n: ' Waiting for parts ', c: 'pending' }, admin);
    expect(taken.data!.createTicketStatus.fields).toEqual([
      {
        path: '/name',
        code: 'taken',
        message: 'A status named "Waiting for parts" exists already; pick another name.',
      },
    ]);
    const made = await s.gql(CREATE_STATUS, { n: 'Escalated to vendor', c: 'open' }, admin);
    expect(made.data!.createTicketStatus).toEqual({
      __typename: 'TicketStatus',
      name: 'Escalated to vendor',
      category: 'open',
      isActive: true,
    });
  });

  it('pauses the resolution clock in a status the policy names, and refuses names that do not exist', async () => {
    const policy = (pauseStatuses: string[]) => ({
      i: {
        name: 'Returns with parts',
        position: 1,
        condition: 'ticket.template == "returns"',
        pauseStatuses,
        targets: { resolution: { normal: { amount: 8, unit: 'hours', time: 'calendar' } } },
      },
    });
    const CREATE_POLICY = `mutation($i: SlaPolicyInput!) { createSlaPolicy(input: $i) {
      __typename ... on ValidationError { fields { path code message } } } }`;
    const bad = await s.gql(CREATE_POLICY, policy(['Waiting for parts', 'Waiting for Godot']), admin);
    expect(bad.data!.createSlaPolicy.fields).toEqual([
      {
        path: '/pauseStatuses/1',
        code: 'not_found',
        message:
          'There is no status named "Waiting for Godot"; name one of ticketStatuses (create it first with createTicketStatus).',
      },
    ]);
    const good = await s.gql(CREATE_POLICY, policy(['Waiting for parts']), admin);
    expect(good.data!.createSlaPolicy.__typename).toBe('SlaPolicy');

    const t = await createTicket(s, agent, {
      templateKey: 'returns',
      title: 'Kettle needs a new base',
      formData: validReturn,
    });
    expect(t.slaPolicyName).toBe('Returns with parts');
    const update = async (vars: Record<string, unknown>) =>
      (await s.gql(UPDATE, { id: t.id, ...vars }, agent)).data!.updateTicket;
    const resolution = async () => (await clocksOf(s, agent, t.id)).resolution;
    expect((await resolution()).status).toBe('running');

    // On hold, waiting for parts: named by the policy, so the clock stops counting.
    expect(await update({ statusName: 'Waiting for parts' })).toEqual({
      __typename: 'Ticket',
      status: 'on_hold',
      statusName: 'Waiting for parts',
    });
    const paused = await resolution();
    expect(paused.status).toBe('paused');
    expect(paused.history.at(-1)).toMatchObject({ kind: 'pause', reason: 'status_changed' });

    // Still on hold, but for a visit the policy does not name: the clock counts again.
    expect(await update({ statusName: 'Engineer visit booked' })).toMatchObject({
      status: 'on_hold',
      statusName: 'Engineer visit booked',
    });
    expect((await resolution()).status).toBe('running');
    await update({ statusName: 'Waiting for parts' });
    expect((await resolution()).status).toBe('paused');

    // A name of another category, or one that does not exist: refused, nothing changes.
    const mismatch = await update({ status: 'open', statusName: 'Waiting for parts' });
    expect(mismatch.fields).toEqual([
      {
        path: '/status',
        code: 'mismatch',
        message:
          'The status "Waiting for parts" belongs to on_hold, not open: give one of them or both matching.',
      },
    ]);
    const unknown = await update({ statusName: 'Gone fishing' });
    expect(unknown.fields[0]).toMatchObject({ path: '/statusName', code: 'not_found' });
    expect(unknown.fields[0].message).toMatch(
      /^There is no active status named "Gone fishing"; the statuses are /,
    );
    expect((await resolution()).status).toBe('paused');

    // Back to open by category: the on-hold name goes with it, and the clock resumes.
    expect(await update({ status: 'open' })).toMatchObject({ status: 'open', statusName: null });
    expect((await resolution()).status).toBe('running');
    const changes = (await timelineOf(s, agent, t.id))
      .filter((e) => e.kind === 'updated')
      .map((e) => (e.diff as Record<string, unknown>).statusName);
    expect(changes).toEqual([
      { from: null, to: 'Waiting for parts' },
      { from: 'Waiting for parts', to: 'Engineer visit booked' },
      { from: 'Engineer visit booked', to: 'Waiting for parts' },
      { from: 'Waiting for parts', to: null },
    ]);
  });
});
