import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../helpers/manual-clock.ts';
import { databaseKind } from '../helpers/test-database.ts';
import {
  createSlaPolicy,
  createTicket,
  notificationsOf,
  orgUnitId,
  timelineOf,
  userId,
} from '../sla/sla-fixtures.ts';
import { configure, type Received, receiver, startChannelServer, waitFor } from './channel-fixtures.ts';

/**
 * Scenario 3 of SCENARIOS.md with the SLA actions of the sla_actions plugin in place of the
 * built-in ones, on a clock the test moves: Product A's urgent fault breaches its first response
 * and its handler's manager hears of it at once in-app, through a WeCom group robot and by SMS
 * (loopback receivers check the robot's key and format and the gateway's auth); it then breaches
 * its resolution, and the ticket goes to the least-loaded member of the repair team who holds
 * the skills needed, while a follow-up ticket linked to it opens for the supervisor.
 */

/** Monday 2026-11-30, 10:00 in Shanghai. */
const T0 = Date.parse('2026-11-30T02:00:00Z');
const MANAGER_PHONE = '+8613900000002';

type Row = Record<string, any>;

/** The chat platform and the SMS gateway: each checks the request as the real one would. */
function platform(r: Received): { status: number; json?: unknown } {
  const u = new URL(r.url, 'http://x');
  const body = r.body ? JSON.parse(r.body) : {};
  if (u.pathname === '/wecom/send') {
    if (u.searchParams.get('key') !== 'wk')
      return { status: 200, json: { errcode: 93000, errmsg: 'invalid key' } };
    return body.msgtype === 'text' && typeof body.text?.content === 'string'
      ? { status: 200, json: { errcode: 0, errmsg: 'ok' } }
      : { status: 200, json: { errcode: 40008, errmsg: 'invalid message type' } };
  }
  if (u.pathname === '/sms') {
    if (r.headers.authorization !== 'Bearer sms-key') return { status: 401 };
    return typeof body.to === 'string' && typeof body.text === 'string'
      ? { status: 200, json: { id: `sms-${body.to}` } }
      : { status: 400 };
  }
  return { status: 404 };
}

describe(`scenario 3 with plugin SLA actions (${databaseKind()})`, () => {
  const clock = new ManualClock(T0);
  let s: Awaited<ReturnType<typeof startChannelServer>>;
  let net: Awaited<ReturnType<typeof receiver>>;
  let agent: string;
  let admin: string;
  let manager: string;
  let ids: Record<string, number>;

  beforeAll(async () => {
    s = await startChannelServer(['chat_robots', 'sms', 'sla_actions'], { clock });
    net = await receiver();
    net.answer(platform);
    await configure(s, 'chat_robots', {
      robots: [{ kind: 'wecom', name: 'store-a-group', url: `${net.origin}/wecom/send?key=wk` }],
    });
    await configure(s, 'sms', {
      gatewayUrl: `${net.origin}/sms`,
      authScheme: 'bearer',
      apiKey: 'sms-key',
      template: '[Docket] {{subject}} {{ticket}}',
      maxSegments: 2,
    });
    await s.sql("update app_user set phone = ? where email = 'manager.north@docket.local'", [MANAGER_PHONE]);
    ids = {};
    for (const email of ['agent.a', 'agent.b', 'service', 'tech', 'manager.north'])
      ids[email] = await userId(s, `${email}@docket.local`);
    // The repair team: the technician repairs but has no smoke training; Bo and Sam have both.
    const [{ id: team }] = (await s.sql<Row>("select id from team where name = 'Store A repairs'")) as [Row];
    await s.sql("update team_member set skills = '{repair}' where team_id = ? and user_id = ?", [
      team,
      ids.tech,
    ]);
    await s.sql(
      "insert into team_member (team_id, user_id, skills) values (?, ?, '{repair,smoke}'), (?, ?, '{repair,smoke}')",
      [team, ids['agent.b'], team, ids.service],
    );
    agent = await s.login('agent.a@docket.local');
    admin = await s.login('admin@docket.local');
    manager = await s.login('manager.north@docket.local');
    // Ming runs the North Region (named by the admin); Anna's own user names no manager, so an
    // escalation reaches Ming as the manager of the unit above Anna's store.
    await s.sql('update org_unit set manager_id = null');
    await s.sql('update app_user set manager_id = null');
    const [{ id: north }] = (await s.sql<Row>("select id from org_unit where name = 'North Region'")) as [
      Row,
    ];
    const named = await s.gql(
      'mutation($id: Int!, $m: Int) { updateOrgUnit(id: $id, managerId: $m) { __typename ... on OrgUnit { manager { email } } ... on Error { message } } }',
      { id: north, m: ids['manager.north'] },
      admin,
    );
    expect(named.data!.updateOrgUnit).toEqual({
      __typename: 'OrgUnit',
      manager: { email: 'manager.north@docket.local' },
    });
    await createSlaPolicy(s, admin, {
      name: 'Product A by phone, plugin actions',
      position: 0,
      condition: 'ticket.channel == "phone"',
      targets: {
        first_response: { urgent: { amount: 15, unit: 'minutes', time: 'calendar' } },
        resolution: { urgent: { amount: 2, unit: 'hours', time: 'calendar' } },
      },
      actions: {
        first_response: [
          {
            offsetMinutes: 0,
            kind: 'plugin',
            plugin: 'sla_actions',
            action: 'escalate_to_manager',
            config: { targets: ['chat_robots.wecom', 'sms.sms'] },
          },
        ],
        resolution: [
          {
            offsetMinutes: 0,
            kind: 'plugin',
            plugin: 'sla_actions',
            action: 'reassign_least_loaded',
            config: { team: 'Store A repairs', skills: ['repair', 'smoke'] },
          },
          {
            offsetMinutes: 0,
            kind: 'plugin',
            plugin: 'sla_actions',
            action: 'follow_up_for_supervisor',
            config: { supervisorUserId: ids['manager.north'] },
          },
        ],
      },
    });
  }, 180_000);
  afterAll(async () => {
    await net?.close();
    await s?.close();
  });

  const productA = async (title: string) =>
    createTicket(s, agent, {
      templateKey: 'product-a-fault',
      title,
      channel: 'phone',
      orgUnitId: await orgUnitId(s, 'Store A'),
      assigneeId: ids['agent.a'],
      formData: { serialNumber: 'A-0017', symptom: 'Smoke from the fan' },
    });
  /** The plugin's notes on the timeline (each action's job writes one when the plugin answers). */
  const pluginNotes = async (ticketId: string, count: number) =>
    waitFor(`${count} plugin SLA notes on ${ticketId}`, async () => {
      const notes = (await timelineOf(s, admin, ticketId)).filter(
        (e) =>
          e.kind === 'sla.action' && /\(plugin sla_actions\).*: (?!handed to the plugin)/.test(e.body ?? ''),
      );
      return notes.length >= count ? notes : undefined;
    });

  it("a breached first response reaches the handler's manager at once in-app, by WeCom robot and by SMS", async () => {
    clock.set(T0);
    const t = await productA('Unit A-17 smokes');
    expect(t.slaPolicyName).toBe('Product A by phone, plugin actions');
    clock.advanceMinutes(16);
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);

    const [note] = await pluginNotes(t.id, 1);
    expect(note!.body).toBe(
      `"Escalate to the handler's manager (chat robot and SMS)" (plugin sla_actions) at the first response breach: escalated to Ming Manager, the handler's manager, in-app and through chat_robots.wecom and sms.sms.`,
    );
    // Each target's delivery result, per recipient, on the ticket's timeline.
    const deliveries = await waitFor('two delivery results', async () => {
      const d = (await timelineOf(s, admin, t.id)).filter((e) => e.kind.startsWith('notification.'));
      return d.length >= 2 ? d : undefined;
    });
    const byTarget = Object.fromEntries(deliveries.map((e) => [e.diff.target.to, e]));
    for (const target of ['chat_robots.wecom', 'sms.sms']) {
      expect(byTarget[target]!.kind).toBe('notification.delivered');
      expect(byTarget[target]!.diff.results.to).toEqual([
        { recipient: `user:${ids['manager.north']}`, isDelivered: true },
      ]);
    }
    const wecom = JSON.parse(net.requests.find((q) => q.url.startsWith('/wecom'))!.body);
    expect(wecom.text.mentioned_mobile_list).toEqual([MANAGER_PHONE]);
    expect(wecom.text.content).toContain(t.number);
    const sms = net.requests.filter((q) => q.url === '/sms').map((q) => JSON.parse(q.body));
    expect(sms.map((m) => m.to)).toEqual([MANAGER_PHONE]);
    expect(sms[0].text).toContain(`Escalated: ${t.number} breached its first response target`);
    // In-app too, for the manager only (the handler is not told about their own escalation).
    const inbox = (await notificationsOf(s, manager)).filter((n) => n.ticketId === t.id);
    expect(inbox.map((n) => n.subject)).toEqual([
      `Escalated: ${t.number} breached its first response target (due 2026-11-30T02:15:00.000Z)`,
    ]);
    expect((await notificationsOf(s, agent)).filter((n) => n.ticketId === t.id)).toEqual([]);
  }, 90_000);

  it('a breached resolution hands the ticket to the least-loaded skilled member and opens a linked follow-up for the supervisor', async () => {
    clock.set(T0);
    // Bo holds one open ticket already; Sam none: Sam is the least loaded of those with both skills.
    const busy = await createTicket(s, admin, {
      templateKey: 'product-b-issue',
      title: 'Bo is on this one',
      orgUnitId: await orgUnitId(s, 'Store A'),
      assigneeId: ids['agent.b'],
      formData: { question: 'Noise from the drum' },
    });
    expect(busy.id).toBeTruthy();
    const t = await productA('Unit A-18 smokes too');
    clock.advanceMinutes(121);
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);

    const notes = await pluginNotes(t.id, 3);
    const bodies = notes.map((n) => n.body);
    expect(bodies).toContain(
      '"Reassign to the least-loaded skilled team member" (plugin sla_actions) at the resolution breach: reassigned to Sam Service, the least-loaded member of Store A repairs with repair, smoke (0 open tickets, 0 open tasks).',
    );
    const followUpNote = bodies.find((b) => b?.startsWith('"Open a follow-up ticket for a supervisor"'));
    const followUpNumber = /opened the follow-up (\S+) for the supervisor/.exec(followUpNote ?? '')?.[1];
    expect(followUpNumber, followUpNote ?? 'no follow-up note').toBeTruthy();

    const after = await s.gql(
      'query($id: ID!) { ticket(id: $id) { assignee { email } timeline { kind body } } }',
      { id: t.id },
      admin,
    );
    expect(after.data!.ticket.assignee).toEqual({ email: 'service@docket.local' });
    const kinds = after.data!.ticket.timeline.map((e: Row) => e.kind);
    expect(kinds).toContain('plugin.patched');
    expect(after.data!.ticket.timeline.find((e: Row) => e.kind === 'ticket.follow_up').body).toBe(
      `Follow-up ${followUpNumber} opened for Ming Manager by the plugin "sla_actions".`,
    );

    // The follow-up: the supervisor's, for the same customer, pointing back at the ticket.
    const [followUp] = (await s.sql<Row>(
      `select k.id::text as id, k.assignee_id, k.requester_id, k.custom_fields, k.title, o.requester_id as original_requester
         from ticket k, ticket o where k.number = ? and o.id = ?`,
      [followUpNumber, t.id],
    )) as [Row];
    expect(followUp.assignee_id).toBe(ids['manager.north']);
    expect(followUp.requester_id).toBe(followUp.original_requester);
    expect(followUp.custom_fields).toMatchObject({ followUpOf: t.number });
    expect(followUp.title).toBe(`Follow-up of ${t.number}: Unit A-18 smokes too`);
    const seen = await s.gql('query($id: ID!) { ticket(id: $id) { number } }', { id: followUp.id }, manager);
    expect(seen.data!.ticket).toEqual({ number: followUpNumber });
    expect((await timelineOf(s, manager, followUp.id)).map((e) => e.body)).toContain(
      `A follow-up of ${t.number}, opened by the plugin "sla_actions" for Ming Manager.`,
    );
  }, 90_000);

  it('without the grant an action is refused its capability and says so on the timeline', async () => {
    const r = await s.gql(
      `mutation { grantPluginPermissions(name: "sla_actions", grants: { ticket: "patch", kv: true, org: true, notify: true }) {
         __typename ... on Error { message } } }`,
      {},
      admin,
    );
    expect(r.data!.grantPluginPermissions.__typename).toBe('Plugin');
    clock.set(T0);
    const t = await productA('Unit A-19 smokes as well');
    clock.advanceMinutes(121);
    await s.app.services.sla.catchUp(s.db.orm.em.fork(), t.id);
    const notes = await pluginNotes(t.id, 3);
    const failed = notes.find((n) => n.body?.startsWith('"Open a follow-up ticket for a supervisor"'));
    expect(failed!.body).toBe(
      '"Open a follow-up ticket for a supervisor" (plugin sla_actions) at the resolution breach: the plugin may not open follow-up tickets (grant followUps).',
    );
    expect(
      (
        await s.sql<Row>("select count(*)::int as n from ticket where custom_fields->>'followUpOf' = ?", [
          t.number,
        ])
      )[0]!.n,
    ).toBe(0);
  }, 90_000);
});
