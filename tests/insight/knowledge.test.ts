import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SAVE = `mutation($input: KbArticleInput!) {
  saveKbArticle(input: $input) {
    __typename ... on KbArticle { id draftTitle publishedVersion }
    ... on ValidationError { fields { path code } } ... on ForbiddenError { permission }
  }
}`;
const PUBLISH =
  'mutation($id: ID!) { publishKbArticle(id: $id) { __typename ... on KbArticle { publishedVersion title } } }';
const SEARCH = `query($text: String!, $first: Int) { kbSearch(text: $text, first: $first) { rank article { title visibility } } }`;
const SUGGEST = `query($text: String!) { kbSuggestions(text: $text) { article { title } } }`;

describe(`knowledge base, description templates and macros (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agentA: string;
  let agentB: string;
  let customer: string;
  let ticketId: string;
  const titles = (r: any, field = 'kbSearch'): string[] => r.data[field].map((h: any) => h.article.title);

  async function article(title: string, body: string, visibility: 'internal' | 'public', publish = true) {
    const saved = await s.gql(
      SAVE,
      { input: { title, body, visibility, categoryPath: '家电 / 空调' } },
      admin,
    );
    expect(saved.data!.saveKbArticle.__typename).toBe('KbArticle');
    if (publish) await s.gql(PUBLISH, { id: saved.data!.saveKbArticle.id }, admin);
    return saved.data!.saveKbArticle.id as string;
  }

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    admin = await s.login('admin@docket.local');
    agentA = await s.login('agent.a@docket.local');
    agentB = await s.login('agent.b@docket.local');
    customer = await s.customerLogin('customer@example.com');
    const storeA = (await s.sql<{ id: number }>("select id from org_unit where name like 'Store A%'"))[0]!.id;
    const created = await s.gql(
      `mutation($input: CreateTicketInput!) { createTicket(input: $input) { ... on Ticket { id } } }`,
      {
        input: {
          templateKey: 'returns',
          title: '空调不制冷',
          channel: 'phone',
          orgUnitId: storeA,
          formData: validReturn,
          requester: { name: '李雷', email: 'li.lei@example.com' },
        },
      },
      agentA,
    );
    ticketId = created.data!.createTicket.id;
    await article('空调不制冷怎么办', '先检查滤网和制冷剂，再确认室外机是否运转。', 'public');
    await article('冰箱噪音大', '压缩机启动时有声音属正常，制冷时会更明显。', 'internal');
    await article('Kettle leaks at the base', 'Replace the gasket; 检查底座密封圈。', 'public');
    await article('空调遥控器失灵（草稿）', '更换电池。', 'public', false);
  });
  afterAll(() => s?.close());

  it('finds Chinese words inside published articles, a title match first; drafts stay unseen', async () => {
    const r = await s.gql(SEARCH, { text: '制冷' }, agentA);
    expect(titles(r)).toEqual(['空调不制冷怎么办', '冰箱噪音大']);
    expect(r.data!.kbSearch[0].rank).toBeGreaterThan(r.data!.kbSearch[1].rank);
    expect(titles(await s.gql(SEARCH, { text: '遥控' }, agentA))).toEqual([]);
    expect(titles(await s.gql(SEARCH, { text: 'gasket 密封' }, agentA))).toEqual([
      'Kettle leaks at the base',
    ]);
  });

  it('shows customers and visitors public articles only', async () => {
    expect(titles(await s.gql(SEARCH, { text: '制冷' }, customer))).toEqual(['空调不制冷怎么办']);
    expect(titles(await s.gql(SEARCH, { text: '制冷' }))).toEqual(['空调不制冷怎么办']);
  });

  it('suggests articles from what is typed, sharing any word', async () => {
    const r = await s.gql(SUGGEST, { text: '客户反映家里空调开了不制冷' }, agentA);
    expect(titles(r, 'kbSuggestions')[0]).toBe('空调不制冷怎么办');
    expect(titles(await s.gql(SUGGEST, { text: 'kettle' }, customer), 'kbSuggestions')).toEqual([
      'Kettle leaks at the base',
    ]);
    expect(titles(await s.gql(SUGGEST, { text: '，。' }, agentA), 'kbSuggestions')).toEqual([]);
  });

  it('refuses editing without template.manage, and bad input by field', async () => {
    const agent = await s.gql(SAVE, { input: { title: 'x', body: 'y' } }, agentA);
    expect(agent.data!.saveKbArticle).toEqual({
      __typename: 'ForbiddenError',
      permission: 'template.manage',
    });
    const bad = await s.gql(SAVE, { input: { title: ' ', body: '', categoryPath: 'a/b/c/d/e' } }, admin);
    expect(bad.data!.saveKbArticle.fields.map((f: any) => f.path).sort()).toEqual([
      '/categoryPath',
      '/title',
    ]);
    const first = await s.gql(SEARCH, { text: '制冷', first: 0 }, agentA);
    expect(first.errors?.[0]?.message).toMatch(/1 to 50/);
  });

  it('links an article to a ticket once, on its timeline', async () => {
    const id = (await s.gql(SEARCH, { text: '空调不制冷' }, agentA)).data!.kbSearch[0];
    const articleId = (
      await s.sql<{ id: number }>("select id from kb_article where title = '空调不制冷怎么办'")
    )[0]!.id;
    expect(id).toBeTruthy();
    const link = 'mutation($a: ID!, $t: ID!) { linkKbArticle(articleId: $a, ticketId: $t) { __typename } }';
    expect((await s.gql(link, { a: articleId, t: ticketId }, agentA)).data!.linkKbArticle.__typename).toBe(
      'KbArticle',
    );
    await s.gql(link, { a: articleId, t: ticketId }, agentA);
    const other = await s.gql(link, { a: articleId, t: ticketId }, agentB);
    expect(other.data!.linkKbArticle.__typename).toBe('NotFoundError');
    const t = await s.gql(
      'query($id: ID!) { ticket(id: $id) { articles { title } timeline { kind body } } }',
      { id: ticketId },
      agentA,
    );
    expect(t.data!.ticket.articles).toEqual([{ title: '空调不制冷怎么办' }]);
    expect(t.data!.ticket.timeline.filter((e: any) => e.kind === 'kb.linked')).toEqual([
      { kind: 'kb.linked', body: '空调不制冷怎么办' },
    ]);
  });

  it('description templates: public per ticket template, personal per agent, placeholders filled from the ticket', async () => {
    const save = `mutation($input: DescriptionTemplateInput!) {
      saveDescriptionTemplate(input: $input) { __typename ... on DescriptionTemplate { id isPersonal } ... on ForbiddenError { permission } ... on ValidationError { fields { path } } }
    }`;
    const pub = await s.gql(
      save,
      {
        input: {
          templateKey: 'returns',
          name: '退货说明',
          body: '{{requester.name}} 退回 {{form.productModel}}（{{ticket.number}}）{{form.none}}',
        },
      },
      admin,
    );
    expect(pub.data!.saveDescriptionTemplate.isPersonal).toBe(false);
    const mine = await s.gql(save, { input: { name: '我的模板', body: '经办人 {{agent.name}}' } }, agentA);
    expect(mine.data!.saveDescriptionTemplate.isPersonal).toBe(true);
    expect(
      (await s.gql(save, { input: { templateKey: 'returns', name: 'x', body: 'y' } }, agentA)).data!
        .saveDescriptionTemplate,
    ).toEqual({
      __typename: 'ForbiddenError',
      permission: 'template.manage',
    });
    const bad = await s.gql(save, { input: { templateKey: 'nope', name: '', body: ' ' } }, admin);
    expect(bad.data!.saveDescriptionTemplate.fields.map((f: any) => f.path).sort()).toEqual([
      '/body',
      '/name',
      '/templateKey',
    ]);
    const list = (who: string) =>
      s
        .gql('{ descriptionTemplates(templateKey: "returns") { name isPersonal } }', {}, who)
        .then((r) => r.data!.descriptionTemplates);
    expect(await list(agentA)).toEqual([
      { name: '退货说明', isPersonal: false },
      { name: '我的模板', isPersonal: true },
    ]);
    expect(await list(agentB)).toEqual([{ name: '退货说明', isPersonal: false }]);
    const render =
      'query($id: ID!, $t: ID, $v: JSON) { renderDescriptionTemplate(id: $id, ticketId: $t, values: $v) { text missing } }';
    const filled = await s.gql(render, { id: pub.data!.saveDescriptionTemplate.id, t: ticketId }, agentA);
    const number = (await s.sql<{ number: string }>('select number from ticket where id = ?', [ticketId]))[0]!
      .number;
    expect(filled.data!.renderDescriptionTemplate).toEqual({
      text: `李雷 退回 X200 kettle（${number}）{{form.none}}`,
      missing: ['form.none'],
    });
    const entering = await s.gql(
      render,
      {
        id: pub.data!.saveDescriptionTemplate.id,
        v: { requester: { name: '韩梅' }, form: { productModel: 'K1' } },
      },
      agentA,
    );
    expect(entering.data!.renderDescriptionTemplate.text).toBe(
      '韩梅 退回 K1（{{ticket.number}}）{{form.none}}',
    );
    const notMine = await s.gql(render, { id: mine.data!.saveDescriptionTemplate.id }, agentB);
    expect(notMine.errors?.[0]?.message).toMatch(/not found/);
  });

  it('a macro replies and changes fields in one step, all or nothing', async () => {
    const save = `mutation($input: MacroInput!) { saveMacro(input: $input) { __typename ... on Macro { id isShared } ... on ValidationError { fields { path } } } }`;
    const bad = await s.gql(
      save,
      { input: { name: 'x', changes: { status: 'done', color: 'red' } } },
      agentA,
    );
    expect(bad.data!.saveMacro.fields.map((f: any) => f.path).sort()).toEqual([
      '/changes/color',
      '/changes/status',
    ]);
    const shared = await s.gql(
      save,
      {
        input: {
          name: '等待客户',
          reply: '{{requester.name}} 您好，请提供购买凭证。',
          changes: { status: 'pending', priority: 'high' },
          isShared: true,
        },
      },
      admin,
    );
    expect(shared.data!.saveMacro.isShared).toBe(true);
    const apply =
      'mutation($m: ID!, $t: ID!) { applyMacro(macroId: $m, ticketId: $t) { __typename ... on Ticket { status priority timeline { kind body } } ... on ValidationError { fields { path } } } }';
    const applied = await s.gql(apply, { m: shared.data!.saveMacro.id, t: ticketId }, agentA);
    expect(applied.data!.applyMacro).toMatchObject({
      __typename: 'Ticket',
      status: 'pending',
      priority: 'high',
    });
    expect(applied.data!.applyMacro.timeline.filter((e: any) => e.kind === 'reply')).toEqual([
      { kind: 'reply', body: '李雷 您好，请提供购买凭证。' },
    ]);
    // A change that fails (no such user) leaves the reply unsent too.
    const broken = await s.gql(
      save,
      { input: { name: '转给不存在的人', reply: '已转交', changes: { assigneeId: 999999 } } },
      agentA,
    );
    const events = async () =>
      Number(
        (
          await s.sql<{ n: string }>('select count(*) as n from ticket_event where ticket_id = ?', [ticketId])
        )[0]!.n,
      );
    const before = await events();
    const failed = await s.gql(apply, { m: broken.data!.saveMacro.id, t: ticketId }, agentA);
    expect(failed.data!.applyMacro.fields).toEqual([{ path: '/assigneeId' }]);
    expect(await events()).toBe(before);
    expect((await s.gql('{ macros { name } }', {}, agentB)).data!.macros).toEqual([{ name: '等待客户' }]);
  });
});
