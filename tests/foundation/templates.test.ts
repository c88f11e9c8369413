import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const content = (extra: Record<string, unknown> = {}) => ({
  name: 'IT support',
  categoryPath: ['Internal', 'IT', 'Hardware'],
  defaultPriority: 'high',
  numberPattern: 'IT-{yy}{MM}-{seq:4}',
  formSchema: {
    type: 'object',
    required: ['device'],
    properties: { device: { type: 'string', title: 'Device' } },
  },
  uiSchema: {},
  ...extra,
});

const VERSION_FIELDS = 'version content { name categoryPath defaultPriority formSchema }';

describe(`versioned templates (${databaseKind()})`, () => {
  let s: TestServer;
  let owner: string;
  let agent: string;
  let id: string;

  beforeAll(async () => {
    s = await startTestServer();
    owner = await s.login('owner@docket.local');
    agent = await s.login('agent.a@docket.local');
  });
  afterAll(() => s?.close());

  const create = (title: string, formData: unknown) =>
    s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id number templateVersion { version } } ... on ValidationError { fields { path } } ... on NotFoundError { path } } }',
      { i: { templateKey: 'it-support', title, formData } },
      agent,
    );

  it('a draft is editable and invisible to agents until published', async () => {
    const r = await s.gql(
      'mutation($c: TemplateContentInput!) { createTemplate(key: "it-support", content: $c) { ... on TicketTemplate { id latestVersion draft { name } } } }',
      { c: content() },
      owner,
    );
    id = r.data!.createTemplate.id;
    expect(r.data!.createTemplate).toMatchObject({ latestVersion: 0, draft: { name: 'IT support' } });
    const seenByAgent = await s.gql('{ templates { key } template(key: "it-support") { key } }', {}, agent);
    expect(seenByAgent.data!.templates.map((t: any) => t.key)).not.toContain('it-support');
    expect(seenByAgent.data!.template).toBeNull();
    expect((await create('too early', { device: 'laptop' })).data!.createTicket).toMatchObject({
      __typename: 'NotFoundError',
      path: '/templateKey',
    });
  });

  it('publishing freezes a numbered version; tickets stay pinned to theirs', async () => {
    const v1 = await s.gql(
      `mutation($id: ID!) { publishTemplate(id: $id) { ... on TemplateVersion { ${VERSION_FIELDS} } } }`,
      { id },
      owner,
    );
    expect(v1.data!.publishTemplate.version).toBe(1);
    const t1 = (await create('Laptop broken', { device: 'laptop' })).data!.createTicket;
    expect(t1.number).toMatch(/^IT-\d{4}-0001$/);
    expect(t1.templateVersion.version).toBe(1);

    const v2content = content({
      name: 'IT support v2',
      formSchema: {
        type: 'object',
        required: ['device', 'assetTag'],
        properties: { device: { type: 'string' }, assetTag: { type: 'string', title: 'Asset tag' } },
      },
    });
    const draft = await s.gql(
      'mutation($id: ID!, $c: TemplateContentInput!) { updateTemplateDraft(id: $id, content: $c) { ... on TicketTemplate { draft { name } published { version content { name } } } } }',
      { id, c: v2content },
      owner,
    );
    expect(draft.data!.updateTemplateDraft).toEqual({
      draft: { name: 'IT support v2' },
      published: { version: 1, content: { name: 'IT support' } },
    });
    await s.gql('mutation($id: ID!) { publishTemplate(id: $id) { __typename } }', { id }, owner);

    const refused = (await create('Mouse', { device: 'mouse' })).data!.createTicket;
    expect(refused.fields.map((f: any) => f.path)).toEqual(['/formData/assetTag']);
    const t2 = (await create('Mouse', { device: 'mouse', assetTag: 'A-17' })).data!.createTicket;
    expect(t2.templateVersion.version).toBe(2);
    expect(t2.number).toMatch(/-0002$/);

    // the old ticket is still checked against version 1's schema
    const upd = await s.gql(
      'mutation($id: ID!) { updateTicket(id: $id, formData: { device: "desktop" }) { __typename } }',
      { id: t1.id },
      agent,
    );
    expect(upd.data!.updateTicket.__typename).toBe('Ticket');
    const v1again = await s.gql(
      `query($id: ID!) { template(id: $id) { version(version: 1) { ${VERSION_FIELDS} } } }`,
      { id },
      owner,
    );
    expect(v1again.data!.template.version.content.name).toBe('IT support');
  });

  it('reverting publishes an earlier version as the newest, in one action', async () => {
    const r = await s.gql(
      `mutation($id: ID!) { revertTemplate(id: $id, version: 1) { ... on TemplateVersion { ${VERSION_FIELDS} } } }`,
      { id },
      owner,
    );
    expect(r.data!.revertTemplate.version).toBe(3);
    expect(r.data!.revertTemplate.content.name).toBe('IT support');
    const t = await s.gql(
      `query($id: ID!) { template(id: $id) { latestVersion draft { name } versions { version content { name } } } }`,
      { id },
      owner,
    );
    expect(t.data!.template.latestVersion).toBe(3);
    expect(t.data!.template.draft.name).toBe('IT support');
    expect(t.data!.template.versions.map((v: any) => [v.version, v.content.name])).toEqual([
      [3, 'IT support'],
      [2, 'IT support v2'],
      [1, 'IT support'],
    ]);
    expect(
      (await create('Keyboard', { device: 'keyboard' })).data!.createTicket.templateVersion.version,
    ).toBe(3);
    const missing = await s.gql(
      'mutation($id: ID!) { revertTemplate(id: $id, version: 9) { __typename ... on NotFoundError { path } } }',
      { id },
      owner,
    );
    expect(missing.data!.revertTemplate).toEqual({ __typename: 'NotFoundError', path: '/version' });
  });

  it('a bad draft is refused and the saved draft is kept', async () => {
    const r = await s.gql(
      'mutation($id: ID!, $c: TemplateContentInput!) { updateTemplateDraft(id: $id, content: $c) { __typename ... on ValidationError { fields { path } } } }',
      { id, c: content({ numberPattern: 'no counter' }) },
      owner,
    );
    expect(r.data!.updateTemplateDraft.fields).toEqual([{ path: '/numberPattern' }]);
    const t = await s.gql('query($id: ID!) { template(id: $id) { draft { numberPattern } } }', { id }, owner);
    expect(t.data!.template.draft.numberPattern).toBe('IT-{yy}{MM}-{seq:4}');
  });

  it('archived templates take no new tickets and disappear for agents', async () => {
    await s.gql(
      'mutation($id: ID!) { setTemplateArchived(id: $id, isArchived: true) { __typename } }',
      { id },
      owner,
    );
    expect((await create('x', { device: 'x' })).data!.createTicket.__typename).toBe('NotFoundError');
    const list = await s.gql('{ templates { key } }', {}, agent);
    expect(list.data!.templates.map((t: any) => t.key).sort()).toEqual([
      'call-centre',
      'enquiry',
      'product-a-fault',
      'product-b-issue',
      'returns',
      'store-complaint',
    ]);
  });
});
