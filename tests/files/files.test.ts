import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_PASSWORD } from '@docket/examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Everything under a directory, recursively (the stored files). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe(`file uploads for ticket forms (${databaseKind()})`, () => {
  let s: TestServer;
  let dir: string;
  const token: Record<string, string> = {};
  let storeA: number;

  const upload = (
    who: string | undefined,
    body: Buffer,
    {
      type = 'image/png',
      name = 'photo.png',
      headers = {},
    }: { type?: string; name?: string; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${s.url}/files`, {
      method: 'POST',
      headers: {
        'content-type': type,
        'x-file-name': encodeURIComponent(name),
        ...(who ? { authorization: `Bearer ${token[who]}` } : {}),
        ...headers,
      },
      body: new Uint8Array(body),
    });
  const download = (who: string | undefined, id: string) =>
    fetch(`${s.url}/files/${id}`, { headers: who ? { authorization: `Bearer ${token[who]}` } : {} });

  const createTicket = async (who: string, formData: unknown, orgUnitId?: number) => {
    const r = await s.gql(
      'mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id number formData } ... on ValidationError { message fields { path message } } } }',
      { i: { templateKey: 'claims', title: 'Broken screen', formData, orgUnitId } },
      token[who],
    );
    return r.data!.createTicket;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'docket-files-'));
    s = await startTestServer({
      workflows: false,
      env: {
        DOCKET_FILES_DIR: dir,
        DOCKET_MAX_FILE_BYTES: '4096',
        DOCKET_FILE_TYPES: 'image/*,application/pdf,text/plain',
      },
    });
    token.admin = await s.login('admin@docket.local');
    token.agentA = await s.login('agent.a@docket.local');
    token.agentB = await s.login('agent.b@docket.local');
    token.customer = await s.customerLogin('customer@example.com');
    const org = async (prefix: string) =>
      (await s.sql<{ id: number }>(`select id from org_unit where name like '${prefix}%'`))[0]!.id;
    storeA = await org('Store A');
    await org('Store C');
    const created = await s.gql(
      `mutation($c: TemplateContentInput!) { createTemplate(key: "claims", content: $c) { ... on TicketTemplate { id } ... on Error { message } } }`,
      {
        c: {
          name: 'Claims',
          categoryPath: ['Service', 'Claims'],
          defaultPriority: 'normal',
          numberPattern: 'CL-{seq:4}',
          formSchema: {
            type: 'object',
            required: ['photos'],
            properties: {
              photos: {
                type: 'array',
                title: 'Photos',
                minItems: 1,
                items: {
                  type: 'object',
                  required: ['id', 'name'],
                  properties: {
                    id: { type: 'string' },
                    name: { type: 'string' },
                    size: { type: 'integer' },
                    contentType: { type: 'string' },
                  },
                },
              },
            },
          },
          uiSchema: { photos: { 'ui:widget': 'files' } },
        },
      },
      token.admin,
    );
    const id = created.data!.createTemplate.id;
    expect(id, JSON.stringify(created)).toBeTruthy();
    await s.gql('mutation($id: ID!) { publishTemplate(id: $id) { __typename } }', { id }, token.admin);
  });
  afterAll(async () => {
    await s?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps an upload under the files directory and answers what a form field holds', async () => {
    const r = await upload('agentA', PNG, { name: '屏幕 photo.png' });
    expect(r.status).toBe(201);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ name: '屏幕 photo.png', size: PNG.length, contentType: 'image/png' });
    expect(body.id).toMatch(/^f_[0-9a-f]{32}$/);
    expect((await filesUnder(dir)).some((p) => p.endsWith(String(body.id)))).toBe(true);
    // its uploader reads it back before any ticket names it; nobody else does
    const mine = await download('agentA', String(body.id));
    expect(mine.status).toBe(200);
    expect(Buffer.from(await mine.arrayBuffer()).equals(PNG)).toBe(true);
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await download('agentB', String(body.id))).status).toBe(404);
    expect((await download('admin', String(body.id))).status).toBe(404);
    expect((await download(undefined, String(body.id))).status).toBe(401);
  });

  it('refuses files too large, of a type not accepted, or whose bytes are not their type', async () => {
    const big = await upload('agentA', Buffer.concat([PNG, Buffer.alloc(5000)]));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toMatch(/at most 4096 bytes/);
    const html = await upload('agentA', Buffer.from('<script>alert(1)</script>'), {
      type: 'text/html',
      name: 'x.html',
    });
    expect(html.status).toBe(415);
    expect(((await html.json()) as { error: string }).error).toMatch(/text\/html.*not accepted/);
    const fake = await upload('agentA', Buffer.from('MZ not an image'), {
      type: 'image/png',
      name: 'fake.png',
    });
    expect(fake.status).toBe(415);
    expect((await upload('agentA', Buffer.alloc(0), { type: 'text/plain' })).status).toBe(400);
    expect((await upload(undefined, PNG)).status).toBe(401);
  });

  it('wants the CSRF header from a browser session', async () => {
    const login = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($p: String!) { login(email: "agent.a@docket.local", password: $p) { __typename } }',
        variables: { p: EXAMPLE_PASSWORD },
      }),
    });
    const cookie = login.headers.get('set-cookie')?.split(';')[0];
    if (!cookie) return expect.fail('no session cookie');
    const bare = await fetch(`${s.url}/files`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain', 'x-file-name': 'a.txt' },
      body: 'hello',
    });
    expect(bare.status).toBe(403);
    const withHeader = await fetch(`${s.url}/files`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain', 'x-file-name': 'a.txt', 'x-docket-csrf': '1' },
      body: 'hello',
    });
    expect(withHeader.status).toBe(201);
  });

  it('a ticket whose form names the file takes it: those who see the ticket get it, others do not', async () => {
    const up = (await (await upload('agentA', PNG)).json()) as { id: string; name: string };
    const ticket = await createTicket('agentA', { photos: [up] }, storeA);
    expect(ticket.__typename, JSON.stringify(ticket)).toBe('Ticket');
    const [row] = await s.sql<{ ticket_id: string }>('select ticket_id from file where id = ?', [up.id]);
    expect(String(row!.ticket_id)).toBe(String(ticket.id));
    expect((await download('agentA', up.id)).status).toBe(200);
    expect((await download('admin', up.id)).status).toBe(200); // scope all
    expect((await download('agentB', up.id)).status).toBe(404); // Store B does not see Store A's ticket
  });

  it("naming someone else's file links nothing and serves nothing", async () => {
    const theirs = (await (await upload('agentA', PNG)).json()) as { id: string; name: string };
    // In agent B's own store (a staff ticket lands in its creator's org unit).
    const ticket = await createTicket('agentB', { photos: [theirs] });
    expect(ticket.__typename).toBe('Ticket');
    const [row] = await s.sql<{ ticket_id: string | null }>('select ticket_id from file where id = ?', [
      theirs.id,
    ]);
    expect(row!.ticket_id).toBeNull();
    expect((await download('agentB', theirs.id)).status).toBe(404);
  });

  it('a customer uploads for their own ticket and sees it; an unknown id is simply not found', async () => {
    const up = await upload('customer', Buffer.from('%PDF-1.4 receipt'), {
      type: 'application/pdf',
      name: 'receipt.pdf',
    });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: string };
    expect((await download('customer', id)).status).toBe(200);
    expect((await download('agentA', id)).status).toBe(404);
    expect((await download('customer', 'f_00000000000000000000000000000000')).status).toBe(404);
    expect((await download('customer', '..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
  });

  it('attaches uploaded files to a ticket from the desk: listed on the ticket, named on its timeline', async () => {
    const ticket = await createTicket(
      'agentA',
      { photos: [await (await upload('agentA', PNG)).json()] },
      storeA,
    );
    const attach = (who: string, id: string, fileIds: string[]) =>
      s.gql(
        `mutation($id: ID!, $f: [String!]!) { attachFiles(id: $id, fileIds: $f) {
          __typename ... on Ticket { attachments { id name size contentType url uploadedBy { name } } }
          ... on Error { message } ... on ValidationError { fields { path message } } } }`,
        { id, f: fileIds },
        token[who],
      );
    const report = (await (
      await upload('agentA', Buffer.from('%PDF-1.4 report'), { type: 'application/pdf', name: 'report.pdf' })
    ).json()) as { id: string };
    const r = await attach('agentA', ticket.id, [report.id]);
    expect(r.data?.attachFiles?.__typename, JSON.stringify(r)).toBe('Ticket');
    const files = r.data!.attachFiles.attachments as { id: string; name: string; url: string }[];
    // the form's photo first, then the attached report
    expect(files.map((f) => f.name)).toEqual(['photo.png', 'report.pdf']);
    expect(files[1]).toMatchObject({
      id: report.id,
      size: 15,
      contentType: 'application/pdf',
      url: `/files/${report.id}`,
      uploadedBy: { name: 'Anna Agent (Store A)' },
    });
    expect((await download('admin', report.id)).status).toBe(200);
    const timeline = await s.gql(
      'query($n: String!) { ticket(number: $n) { timeline { kind body isPublic } } }',
      { n: ticket.number },
      token.agentA,
    );
    expect(timeline.data!.ticket.timeline).toContainEqual({
      kind: 'files.attached',
      body: 'report.pdf',
      isPublic: false,
    });

    // Again, someone else's, an id that is no file, and a ticket out of scope: refused, nothing linked.
    const again = await attach('agentA', ticket.id, [report.id]);
    expect(again.data!.attachFiles.fields).toEqual([
      {
        path: '/fileIds/0',
        message: `File ${report.id} is not one you uploaded, or it is on a ticket already.`,
      },
    ]);
    const bs = (await (await upload('agentB', PNG, { name: 'b.png' })).json()) as { id: string };
    const mixed = await attach('agentA', ticket.id, [
      (await (await upload('agentA', PNG, { name: 'ok.png' })).json()).id,
      bs.id,
    ]);
    expect(mixed.data!.attachFiles.__typename).toBe('ValidationError');
    expect(mixed.data!.attachFiles.fields.map((f: { path: string }) => f.path)).toEqual(['/fileIds/1']);
    expect(
      (await s.sql('select 1 from file where name = ? and ticket_id is not null', ['ok.png'])).length,
    ).toBe(0);
    const bad = await attach('agentA', ticket.id, ['../../etc/passwd']);
    expect(bad.data!.attachFiles.fields[0]).toMatchObject({ path: '/fileIds/0' });
    expect((await attach('agentB', ticket.id, [bs.id])).data!.attachFiles.__typename).toBe('NotFoundError');
    const customer = await attach('customer', ticket.id, [bs.id]);
    expect(customer.data!.attachFiles.__typename).toBe('ForbiddenError');
  });
});
