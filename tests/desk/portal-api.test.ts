import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKind } from '../helpers/test-database.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * The customer portal's API: public forms an admin enables, receipts with a private follow link,
 * and — for every portal query — nothing internal: no notes, no internal form fields, no staff
 * emails, no workflow steps.
 */

const PORTAL_TICKET = `number title description status statusName createdAt updatedAt solvedAt templateName
  formData followToken details { label value } timeline { id kind body author isFromCustomer createdAt }`;
const SUBMIT = `mutation($input: PublicFormInput!) { submitPublicForm(input: $input) {
  __typename ... on PortalTicket { ${PORTAL_TICKET} } ... on ValidationError { message fields { path code message } }
  ... on NotFoundError { message } } }`;

const SECRET_NOTE = 'Internal: customer is on the watch list';
const SECRET_FIELD = 'margin-code-7781';

describe(`the customer portal's API (${databaseKind()})`, () => {
  let s: TestServer;
  let admin: string;
  let agent: string;
  let customer: string;
  const staffEmails: string[] = [];

  beforeAll(async () => {
    s = await startTestServer();
    admin = await s.login('admin@docket.local');
    agent = await s.login('service@docket.local');
    customer = await s.customerLogin('customer@example.com');
    staffEmails.push(...(await s.sql<{ email: string }>('select email from app_user')).map((r) => r.email));
    // A template with an internal field, published, with its public form on.
    const created = await s.gql(
      `mutation($c: TemplateContentInput!) { createTemplate(key: "feedback", content: $c) { __typename ... on TicketTemplate { id } ... on Error { message } } }`,
      {
        c: {
          name: 'Product feedback',
          categoryPath: ['Feedback'],
          defaultPriority: 'normal',
          numberPattern: 'FB-{seq:5}',
          formSchema: {
            type: 'object',
            required: ['product'],
            properties: {
              product: { type: 'string', title: 'Product' },
              comment: { type: 'string', title: 'Comment' },
              isRepeat: { type: 'boolean', title: 'Happened before' },
              boughtAt: {
                type: 'string',
                title: 'Bought at',
                enum: ['shop', 'online'],
                enumNames: ['A shop', 'Online'],
              },
              marginCode: { type: 'string', title: 'Margin code', 'x-internal': true },
            },
          },
        },
      },
      admin,
    );
    const id = created.data!.createTemplate.id;
    const published = await s.gql(
      `mutation($id: ID!) { publishTemplate(id: $id) { __typename } }`,
      { id },
      admin,
    );
    expect(published.data!.publishTemplate.__typename, JSON.stringify(published)).not.toMatch(/Error/);
  });
  afterAll(() => s?.close());

  const enable = (key: string, isEnabled: boolean, token = admin) =>
    s.gql(
      `mutation($k: String!, $e: Boolean!) { setPublicForm(templateKey: $k, isEnabled: $e) {
        __typename ... on PublicFormSetting { templateKey isEnabled } ... on Error { message } } }`,
      { k: key, e: isEnabled },
      token,
    );

  /** Everything a response holds, as text, checked for what must never reach the portal. */
  const expectNothingInternal = (response: unknown) => {
    const text = JSON.stringify(response);
    expect(text).not.toContain(SECRET_NOTE);
    expect(text).not.toContain(SECRET_FIELD);
    for (const email of staffEmails) expect(text).not.toContain(email);
    expect(text).not.toMatch(/"kind":"(note|task\.|workflow\.|sla)/);
  };

  it('an admin turns a public form on; others may not; a form that is off is not there', async () => {
    expect((await enable('feedback', true, agent)).data!.setPublicForm.__typename).toBe('ForbiddenError');
    expect((await enable('feedback', true)).data!.setPublicForm).toEqual({
      __typename: 'PublicFormSetting',
      templateKey: 'feedback',
      isEnabled: true,
    });
    const forms = await s.gql('{ publicForms { templateKey name formSchema } }');
    expect(forms.data!.publicForms.map((f: { templateKey: string }) => f.templateKey)).toEqual(['feedback']);
    expect((await s.gql('{ publicForm(templateKey: "returns") { name } }')).data!.publicForm).toBeNull();
    const off = await s.gql(SUBMIT, {
      input: {
        templateKey: 'returns',
        title: 'x',
        formData: {},
        contact: { name: 'A', email: 'a@example.com' },
      },
    });
    expect(off.data!.submitPublicForm.__typename).toBe('NotFoundError');
  });

  it('refuses a submission without contact details or over the size limit, naming the field', async () => {
    const noContact = await s.gql(SUBMIT, {
      input: { templateKey: 'feedback', title: 'Hi', formData: { product: 'X' }, contact: { name: '' } },
    });
    expect(noContact.data!.submitPublicForm.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      '/contact/email',
      '/contact/name',
    ]);
    const huge = await s.gql(SUBMIT, {
      input: {
        templateKey: 'feedback',
        title: 'Hi',
        formData: { product: 'X', comment: 'y'.repeat(40_000) },
        contact: { name: 'Big', email: 'big@example.com' },
      },
    });
    expect(huge.data!.submitPublicForm.fields[0]).toMatchObject({ path: '/formData', code: 'too_large' });
    const badForm = await s.gql(SUBMIT, {
      input: {
        templateKey: 'feedback',
        title: 'Hi',
        formData: {},
        contact: { name: 'A', email: 'a@example.com' },
      },
    });
    expect(badForm.data!.submitPublicForm.fields[0].path).toBe('/formData/product');
  });

  it('gives a receipt with a private link; nothing internal reaches any portal query', async () => {
    const r = await s.gql(SUBMIT, {
      input: {
        templateKey: 'feedback',
        title: 'The lid squeaks',
        formData: { product: 'Kettle K2', comment: 'Since last week', isRepeat: false, boughtAt: 'online' },
        contact: { name: 'Li Lei', email: 'customer@example.com' },
      },
    });
    const receipt = r.data!.submitPublicForm;
    expect(receipt.__typename, JSON.stringify(r)).toBe('PortalTicket');
    expect(receipt.number).toMatch(/^FB-\d{5}$/);
    const token: string = receipt.followToken;
    expect(token).toMatch(/^\d+\.[A-Za-z0-9_-]{32}$/);

    // Staff work the ticket: an internal field, a note and a public reply.
    const id = (
      await s.sql<{ id: string }>('select id::text as id from ticket where number = ?', [receipt.number])
    )[0]!.id;
    const edited = await s.gql(
      `mutation($id: ID!, $f: JSON) { updateTicket(id: $id, formData: $f) { __typename ... on Error { message } } }`,
      {
        id,
        f: {
          product: 'Kettle K2',
          comment: 'Since last week',
          isRepeat: false,
          boughtAt: 'online',
          marginCode: SECRET_FIELD,
        },
      },
      admin,
    );
    expect(edited.data!.updateTicket.__typename, JSON.stringify(edited)).toBe('Ticket');
    await s.gql(
      `mutation($id: ID!, $b: String!) { addNote(id: $id, body: $b) { __typename } }`,
      { id, b: SECRET_NOTE },
      admin,
    );
    await s.gql(
      `mutation($id: ID!, $b: String!) { replyToTicket(id: $id, body: $b) { __typename } }`,
      { id, b: 'We are sending a new lid.' },
      admin,
    );

    const followed = await s.gql(`query($t: String!) { followedTicket(token: $t) { ${PORTAL_TICKET} } }`, {
      t: token,
    });
    const ticket = followed.data!.followedTicket;
    expect(ticket.number).toBe(receipt.number);
    // What the customer sent reads as words: a yes/no answer, a choice by its name.
    expect(ticket.details).toHaveLength(4);
    expect(ticket.details).toEqual(
      expect.arrayContaining([
        { label: 'Product', value: 'Kettle K2' },
        { label: 'Comment', value: 'Since last week' },
        { label: 'Happened before', value: 'No' },
        { label: 'Bought at', value: 'Online' },
      ]),
    );
    // In Chinese, the yes/no answer too (the form's own titles are the form's).
    const inChinese = await s.gql(
      `query($t: String!) { followedTicket(token: $t) { details(locale: "zh-CN") { label value } } }`,
      { t: token },
    );
    expect(inChinese.data!.followedTicket.details).toContainEqual({ label: 'Happened before', value: '否' });
    expect(ticket.timeline.map((e: { body: string | null }) => e.body)).toContain(
      'We are sending a new lid.',
    );
    expect(ticket.timeline.find((e: { body: string }) => e.body === 'We are sending a new lid.').author).toBe(
      'Ada Admin',
    );
    expectNothingInternal(followed);

    // A link for another ticket, or a changed one, shows nothing.
    const forged = `${Number(token.split('.')[0]) + 1}.${token.split('.')[1]}`;
    expect(
      (await s.gql(`query($t: String!) { followedTicket(token: $t) { number } }`, { t: forged })).data!
        .followedTicket,
    ).toBeNull();

    // The requester replies and urges through the link; the staff see it.
    const reply = await s.gql(
      `mutation($t: String!) { replyByFollowLink(token: $t, body: "Thanks!") { __typename ... on PortalTicket { status } } }`,
      { t: token },
    );
    expect(reply.data!.replyByFollowLink.__typename).toBe('PortalTicket');
    expectNothingInternal(reply);

    // The signed-in customer sees the same ticket among theirs, without anything internal.
    const mine = await s.gql(`{ portalTickets { ${PORTAL_TICKET} } }`, {}, customer);
    expect(mine.data!.portalTickets.map((x: { number: string }) => x.number)).toContain(receipt.number);
    expectNothingInternal(mine);
    const one = await s.gql(
      `query($n: String!) { portalTicket(number: $n) { ${PORTAL_TICKET} } }`,
      { n: receipt.number },
      customer,
    );
    expect(one.data!.portalTicket.number).toBe(receipt.number);
    expectNothingInternal(one);
    // Another customer's ticket is not theirs to read.
    const other = await s.gql(
      `query($n: String!) { portalTicket(number: $n) { number } }`,
      { n: receipt.number },
      await s.login('agent.a@docket.local'),
    );
    expect(other.data!.portalTicket).toBeNull();
    // And the public forms themselves hold nothing of anyone.
    expectNothingInternal(
      await s.gql('{ publicForms { templateKey name description formSchema uiSchema } }'),
    );
  });

  it('limits how often one address submits', async () => {
    const send = () =>
      s.gql(SUBMIT, {
        input: {
          templateKey: 'feedback',
          title: 'Again',
          formData: { product: 'X' },
          contact: { name: 'R', phone: '+86 139 0000 0000' },
        },
      });
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push((await send()).data!.submitPublicForm.__typename);
    expect(answers.at(-1)).toBe('ValidationError');
    expect(answers.filter((a) => a === 'PortalTicket').length).toBeGreaterThanOrEqual(3);
  });
});
