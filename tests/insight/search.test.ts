import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validReturn } from '../helpers/fixtures.ts';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const CREATE = `mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { __typename ... on Ticket { id number } ... on Error { message } }
}`;
const LIST = `query($f: TicketFilter, $o: TicketOrder, $after: String, $first: Int) {
  tickets(filter: $f, orderBy: $o, after: $after, first: $first) {
    totalCount edges { node { title } } pageInfo { hasNextPage endCursor }
  }
}`;

describe(`ticket search in Chinese and English (${databaseKind()})`, () => {
  let s: TestServer;
  let agentA: string;
  let agentB: string;
  const titles = (r: any): string[] => r.data.tickets.edges.map((e: any) => e.node.title);

  beforeAll(async () => {
    s = await startTestServer({ workflows: false });
    agentA = await s.login('agent.a@docket.local');
    agentB = await s.login('agent.b@docket.local');
    const storeA = (await s.sql<{ id: number }>("select id from org_unit where name like 'Store A%'"))[0]!.id;
    const tickets = [
      { title: '空调不制冷', description: '客户说开机十分钟后仍然吹热风' },
      { title: '冰箱噪音大', description: '压缩机一直响，制冷效果正常' },
      { title: '热水器漏水', description: '底部接口滴水' },
      { title: 'Kettle leaks', description: '制 冷 are apart here, and so is 空 调' },
      { title: '洗衣机 E3 故障', description: 'Drum does not spin; 显示 E3' },
    ];
    for (const t of tickets) {
      const r = await s.gql(
        CREATE,
        {
          input: { templateKey: 'returns', channel: 'phone', orgUnitId: storeA, formData: validReturn, ...t },
        },
        agentA,
      );
      expect(r.data!.createTicket.__typename).toBe('Ticket');
    }
  });
  afterAll(() => s?.close());

  it('finds a two-character word inside a run of Chinese text, and not its characters apart', async () => {
    const r = await s.gql(LIST, { f: { text: '制冷' } }, agentA);
    expect(titles(r).sort()).toEqual(['冰箱噪音大', '空调不制冷']);
    expect((await s.gql(LIST, { f: { text: '空调' } }, agentA)).data!.tickets.totalCount).toBe(1);
  });

  it('ranks a match in the title above one in the description, through keyset pages', async () => {
    const first = await s.gql(
      LIST,
      { f: { text: '制冷' }, o: { field: 'RELEVANCE', direction: 'DESC' }, first: 1 },
      agentA,
    );
    expect(titles(first)).toEqual(['空调不制冷']);
    expect(first.data!.tickets.pageInfo.hasNextPage).toBe(true);
    const second = await s.gql(
      LIST,
      {
        f: { text: '制冷' },
        o: { field: 'RELEVANCE', direction: 'DESC' },
        first: 1,
        after: first.data!.tickets.pageInfo.endCursor,
      },
      agentA,
    );
    expect(titles(second)).toEqual(['冰箱噪音大']);
    expect(second.data!.tickets.pageInfo.hasNextPage).toBe(false);
  });

  it('pages newest first through the matches of a search', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const r = await s.gql(LIST, { f: { text: '制冷' }, first: 1, after }, agentA);
      seen.push(...titles(r));
      after = r.data!.tickets.pageInfo.hasNextPage ? r.data!.tickets.pageInfo.endCursor : undefined;
    } while (after && seen.length < 5);
    expect(seen).toEqual(['冰箱噪音大', '空调不制冷']);
  });

  it('finds one character, three or more characters, and Chinese mixed with English words', async () => {
    expect(titles(await s.gql(LIST, { f: { text: '漏' } }, agentA))).toEqual(['热水器漏水']);
    expect(titles(await s.gql(LIST, { f: { text: '十分钟后' } }, agentA))).toEqual(['空调不制冷']);
    expect(titles(await s.gql(LIST, { f: { text: '洗衣机 E3' } }, agentA))).toEqual(['洗衣机 E3 故障']);
    expect(titles(await s.gql(LIST, { f: { text: 'drum 显示' } }, agentA))).toEqual(['洗衣机 E3 故障']);
    expect((await s.gql(LIST, { f: { text: '制冷剂' } }, agentA)).data!.tickets.totalCount).toBe(0);
    // Punctuation alone looks for nothing: the whole list.
    const all = (await s.gql(LIST, {}, agentA)).data!.tickets.totalCount;
    expect((await s.gql(LIST, { f: { text: '，' } }, agentA)).data!.tickets.totalCount).toBe(all);
  });

  it("keeps to the caller's scope, and refuses relevance without a search text", async () => {
    expect((await s.gql(LIST, { f: { text: '制冷' } }, agentB)).data!.tickets.totalCount).toBe(0);
    const r = await s.gql(LIST, { o: { field: 'RELEVANCE', direction: 'DESC' } }, agentA);
    expect(r.errors?.[0]?.message ?? JSON.stringify(r.data)).toMatch(/relevance needs a search text/);
  });
});
