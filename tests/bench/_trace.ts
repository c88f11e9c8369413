import pg from 'pg';
import { startTestServer } from '../helpers/test-server.ts';
import { CREATE_INPUTS } from './real-load.ts';

let on = false;
const orig = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (this: any, ...args: any[]) {
  if (on) {
    const a = args[0];
    const text = typeof a === 'string' ? a : (a?.text ?? a?.name);
    console.log('SQL:', String(text).replace(/\s+/g, ' ').slice(0, 160));
  }
  return (orig as any).apply(this, args);
};
const s = await startTestServer();
const admin = await s.login('admin@docket.local');
const agent = await s.login('agent.a@docket.local');
const mk = async (k: string) => {
  const r = await s.gql(
    `mutation($i: CreateTicketInput!) { createTicket(input: $i) { __typename ... on Ticket { id tasks { id status } } ... on Error { message } } }`,
    { i: CREATE_INPUTS[k]!(1) },
    agent,
  );
  return r;
};
await mk('returns');
const r = await mk('returns');
const task = (r.data as any).createTicket.tasks[0].id;
await s.gql(`{ __typename }`);
console.log('---- complete');
on = true;
const x = await s.gql(
  `mutation($t: ID!) { actOnTask(taskId: $t, action: complete, output: {approved: true, note: "Photos"}) { __typename ... on Error { message } } }`,
  { t: task },
  admin,
);
on = false;
console.log(JSON.stringify(x));
for (const k of ['returns', 'product-a-fault']) {
  await mk(k);
  console.log('---- create', k);
  on = true;
  await mk(k);
  on = false;
}
await s.close();
process.exit(0);
