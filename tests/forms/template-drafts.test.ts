import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/** What the form builder relies on besides the template mutations the foundation suite covers. */
describe(`template drafts as the form builder saves them (${databaseKind()})`, () => {
  let s: TestServer;
  let owner: string;
  let agent: string;

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    owner = await s.login('owner@docket.local');
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  const read = async () =>
    (
      await s.gql(
        '{ template(key: "returns") { id updatedAt nextSequence draft { name categoryPath defaultPriority numberPattern formSchema uiSchema workflowKey } } }',
        {},
        owner,
      )
    ).data!.template;

  const save = (id: string, content: unknown, expectedUpdatedAt?: string) =>
    s.gql(
      `mutation($id: ID!, $c: TemplateContentInput!, $at: DateTime) {
         updateTemplateDraft(id: $id, content: $c, expectedUpdatedAt: $at) {
           __typename ... on TicketTemplate { updatedAt draft { name } } ... on ValidationError { message fields { path code message } }
         }
       }`,
      { id, c: content, at: expectedUpdatedAt ?? null },
      owner,
    );

  it('a draft changed by another admin since it was read is not overwritten, and says so', async () => {
    const first = await read();
    const content = { ...first.draft, name: 'Returns (mine)' };
    const other = await save(first.id, { ...first.draft, name: 'Returns (theirs)' });
    expect(other.data!.updateTemplateDraft.__typename).toBe('TicketTemplate');
    const mine = await save(first.id, content, first.updatedAt);
    expect(mine.data!.updateTemplateDraft).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: '/expectedUpdatedAt', code: 'draft_changed' }],
    });
    expect((await read()).draft.name).toBe('Returns (theirs)');
    // saving against the newest one goes through
    const fresh = await read();
    const again = await save(fresh.id, content, fresh.updatedAt);
    expect(again.data!.updateTemplateDraft).toMatchObject({
      __typename: 'TicketTemplate',
      draft: { name: 'Returns (mine)' },
    });
  });

  it('tells those who manage templates which counter the next ticket number takes', async () => {
    const before = (await read()).nextSequence;
    expect(before).toBeGreaterThanOrEqual(1);
    const r = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { number } } }',
      { i: { templateKey: 'returns', title: 'one more', formData: validReturn } },
      agent,
    );
    // the example pattern ends with its counter
    expect(Number(/(\d+)$/.exec(r.data!.createTicket.number)?.[1])).toBe(before);
    expect((await read()).nextSequence).toBe(before + 1);
    const asAgent = await s.gql('{ template(key: "returns") { nextSequence } }', {}, agent);
    expect(asAgent.data!.template.nextSequence).toBeNull();
  });
});
