import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createByKey, launchBrowser, newContext, screenshot, watchPage } from './browser.ts';

/**
 * The workflow designer in Chromium against the real server (fresh database, example data), with
 * the mouse and the keyboard only: an admin draws start -> human step (team, round robin) ->
 * condition -> two ends, sees a problem on a node before its config is complete, fixes it,
 * publishes and simulates; and the bad input the designer must survive: a draft another admin
 * changed meanwhile, a server that is down, a node type the server no longer knows.
 */
describe('the workflow designer', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let watched: { problems: string[] };
  let admin: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    admin = await server.login('admin@docket.local');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (): Promise<Page> => {
    context = await newContext(browser);
    const page = await context.newPage();
    await page.setViewportSize({ width: 1600, height: 1000 });
    watched = watchPage(page, server.url);
    return page;
  };
  afterEach(async () => {
    await context?.close();
    expect(watched.problems).toEqual([]);
  });

  const signIn = async (page: Page) => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email').fill('admin@docket.local');
    await page.getByLabel('Password').fill('docket-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  };

  const chooseLanguage = async (page: Page, label: 'English' | '中文') => {
    await page.getByTestId('language-switch').getByText(label, { exact: true }).click();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.lang))
      .toBe(label === '中文' ? 'zh-CN' : 'en');
  };

  /** A screenshot of the page as it is, in English and in Chinese. */
  const shoot = async (page: Page, name: string) => {
    await screenshot(page, `designer-${name}.en`);
    await chooseLanguage(page, '中文');
    await page.waitForTimeout(200);
    await screenshot(page, `designer-${name}.zh-CN`);
    await chooseLanguage(page, 'English');
  };

  const node = (page: Page, id: string): Locator => page.locator(`.react-flow__node[data-id="${id}"]`);
  const center = async (l: Locator) => {
    const b = await l.boundingBox();
    if (!b) throw new Error('not on screen');
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  };

  /** Drags a node by its title bar to a point of the screen. */
  const dragNode = async (page: Page, id: string, to: { x: number; y: number }) => {
    const head = node(page, id).locator('.wf-node-head');
    const from = await center(head);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 10, from.y + 10, { steps: 3 });
    await page.mouse.move(to.x, to.y, { steps: 12 });
    await page.mouse.up();
  };

  /** Drags an edge from a node's output port to another node's input, holding the mouse over it first. */
  const dragEdge = async (
    page: Page,
    source: string,
    port: string,
    target: string,
    options: { isReleased?: boolean } = {},
  ) => {
    const from = await center(
      node(page, source).locator(`.react-flow__handle.source[data-handleid="${port}"]`),
    );
    const to = await center(node(page, target).locator('.react-flow__handle.target'));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 5, from.y + 20, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 16 });
    await page.mouse.move(to.x + 1, to.y + 1, { steps: 2 });
    if (options.isReleased !== false) await page.mouse.up();
  };

  const pick = async (page: Page, selectId: string, option: string) => {
    await page.locator(`#${selectId}`).click();
    await page
      .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
      .getByText(option, { exact: true })
      .click();
  };

  const saved = (page: Page) =>
    expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 15_000 }).toMatch(/^Saved/);

  it('lets an admin draw, fix, publish and simulate a workflow with the mouse and the keyboard', async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${server.url}/admin/workflows`);

    // A new workflow: a lone start node.
    await createByKey(
      page,
      'New workflow',
      'repair-flow',
      'Repair requests',
      '**/admin/workflows/repair-flow',
    );
    await expect.poll(() => node(page, 'start').isVisible()).toBe(true);
    const canvas = (await page.getByTestId('canvas').boundingBox())!;
    const col = canvas.x + canvas.width / 2;
    await dragNode(page, 'start', { x: col, y: canvas.y + 30 });
    await screenshot(page, 'designer-new.en');

    // A human step from the palette, placed below the start and wired to it.
    await page.getByTestId('palette-human_step').click();
    await expect.poll(() => node(page, 'human_step').isVisible()).toBe(true);
    await dragNode(page, 'human_step', { x: col, y: canvas.y + 250 });
    await dragEdge(page, 'start', 'out', 'human_step');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);

    // Assign it to a team, round robin: before the team is picked, the node shows the problem.
    await node(page, 'human_step').locator('.wf-node-head').click();
    await expect.poll(() => page.getByTestId('inspector').isVisible()).toBe(true);
    await pick(page, 'root_assignee_kind', 'A team');
    await saved(page);
    await expect
      .poll(() => page.getByTestId('wf-node-problems-human_step').textContent(), { timeout: 15_000 })
      .toMatch(/teamId|team/i);
    const fieldError = page.getByTestId('inspector').locator('.ant-form-item-explain-error').first();
    await expect.poll(() => fieldError.isVisible()).toBe(true);
    await shoot(page, 'problem-on-node');

    await page.locator('#root_assignee_teamId').click();
    await page.keyboard.type('Service');
    await page.keyboard.press('Enter');
    await pick(page, 'root_assignee_strategy', 'Round robin');
    await saved(page);
    await expect
      .poll(() => page.getByTestId('wf-node-problems-human_step').textContent())
      .not.toMatch(/teamId|strategy/);
    expect(await node(page, 'human_step').textContent()).toContain('Team: Service desk (round robin)');

    // A condition, edited as text: the rule builder shows the same rule.
    await page.getByTestId('palette-condition').click();
    await expect.poll(() => node(page, 'condition').isVisible()).toBe(true);
    await dragNode(page, 'condition', { x: col, y: canvas.y + 470 });
    await dragEdge(page, 'human_step', 'out', 'condition');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await node(page, 'condition').locator('.wf-node-head').click();
    const cel = page.getByLabel('Condition as CEL text');
    await cel.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type("has(ticket.priority) && ticket.priority == 'urgent'");
    await expect.poll(() => page.getByTestId('inspector').locator('.rule').count()).toBe(2);
    expect(await page.getByTestId('inspector').locator('.rule-fields').first().textContent()).toContain(
      'Ticket › priority',
    );

    // Two ends, one per branch.
    await page.getByTestId('palette-end').click();
    await expect.poll(() => node(page, 'end').isVisible()).toBe(true);
    await dragNode(page, 'end', { x: col - 160, y: canvas.y + 660 });
    await page.getByTestId('palette-end').click();
    await expect.poll(() => node(page, 'end_2').isVisible()).toBe(true);
    await dragNode(page, 'end_2', { x: col + 140, y: canvas.y + 660 });

    // A port that already leads somewhere refuses a second edge, and says why while dragging.
    await dragEdge(page, 'start', 'out', 'condition', { isReleased: false });
    await expect
      .poll(() => page.getByTestId('connection-hint').textContent())
      .toMatch(/already leads to .*human_step.*one node only/);
    await screenshot(page, 'designer-refused-connection.en');
    await page.mouse.up();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);

    await dragEdge(page, 'condition', 'if', 'end');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    await dragEdge(page, 'condition', 'else', 'end_2');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);
    await saved(page);
    await expect
      .poll(() => page.getByRole('tab', { name: /Problems/ }).textContent(), { timeout: 15_000 })
      .toBe('Problems (0)');
    await page.keyboard.press('Escape');
    await shoot(page, 'drawn');

    // Undo and redo the last edge by keyboard (the canvas has the focus).
    await page.mouse.click(canvas.x + 20, canvas.y + 300);
    await page.keyboard.press('Control+Z');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(3);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(4);
    await saved(page);

    // Publish.
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByText('Published as version 1.').isVisible()).toBe(true);
    const stored = await server.gql(
      '{ workflow(key: "repair-flow") { latestVersion versions { graph { nodes { id type } edges { source sourcePort target } } } } }',
      {},
      admin,
    );
    expect(stored.data!.workflow.latestVersion).toBe(1);
    expect(stored.data!.workflow.versions[0].graph.edges).toEqual([
      { source: 'start', sourcePort: 'out', target: 'human_step' },
      { source: 'human_step', sourcePort: 'out', target: 'condition' },
      { source: 'condition', sourcePort: 'if', target: 'end' },
      { source: 'condition', sourcePort: 'else', target: 'end_2' },
    ]);

    // Simulate: the path is played on the canvas, each step can be opened.
    await page.getByRole('tab', { name: 'Simulate' }).click();
    await page.getByTestId('run-simulation').click();
    await expect
      .poll(() => page.getByTestId('simulation-result').textContent(), { timeout: 15_000 })
      .toContain('Reached an end');
    await expect
      .poll(() => node(page, 'end_2').locator('.wf-node').getAttribute('class'))
      .toMatch(/wf-tone-ran/);
    expect(await node(page, 'end').locator('.wf-tone-idle').count()).toBe(1);
    await page.getByTestId('simulation-result').getByRole('button', { name: 'human_step' }).click();
    expect(await page.getByTestId('simulation-step').textContent()).toContain('Started (virtual time)');
    await shoot(page, 'simulated');
  });

  /** A small published workflow to open, made through the API. */
  const makeWorkflow = async (key: string, extraNodes: unknown[] = []) => {
    const graph = {
      nodes: [
        {
          id: 'start',
          type: 'start',
          typeVersion: 1,
          config: { trigger: 'ticket_created' },
          position: { x: 0, y: 0 },
        },
        { id: 'done', type: 'end', typeVersion: 1, config: { status: 'solved' }, position: { x: 0, y: 220 } },
        ...extraNodes,
      ],
      edges: [{ id: 'e1', source: 'start', sourcePort: 'out', target: 'done' }],
    };
    const r = await server.gql(
      'mutation($k: String!, $g: JSON) { createWorkflow(key: $k, name: $k, graph: $g) { ... on Workflow { id } } }',
      { k: key, g: graph },
      admin,
    );
    return { id: r.data!.createWorkflow.id as string, graph };
  };
  const draftOf = async (key: string) =>
    (await server.gql('query($k: String!) { workflow(key: $k) { draft { json } } }', { k: key }, admin)).data!
      .workflow.draft.json as {
      nodes: { id: string; type: string; position: { x: number; y: number }; config: unknown }[];
    };

  /**
   * Each drawn edge's distance, in the drawing's own pixels, from where it should start and end:
   * the middle of the bottom of its source port, the middle of the top of its target's input.
   */
  const edgeMisses = (
    page: Page,
    edges: { id: string; source: string; sourcePort: string; target: string }[],
  ) =>
    page.evaluate((all) => {
      const transform = (document.querySelector('.react-flow__viewport') as HTMLElement).style.transform;
      const zoom = Number(/scale\(([\d.]+)\)/.exec(transform)?.[1]);
      const misses: { edge: string; start: number; end: number }[] = [];
      for (const e of all) {
        const path = document.querySelector(
          `.react-flow__edge[data-id="${e.id}"] path.react-flow__edge-path`,
        );
        if (!path) continue;
        // a port of a node not drawn (out of view) is left out: 0
        const from = document
          .querySelector(
            `.react-flow__node[data-id="${e.source}"] .react-flow__handle.source[data-handleid="${e.sourcePort}"]`,
          )
          ?.getBoundingClientRect();
        const to = document
          .querySelector(`.react-flow__node[data-id="${e.target}"] .react-flow__handle.target`)
          ?.getBoundingClientRect();
        const length = (path as SVGPathElement).getTotalLength();
        const ctm = (path as SVGPathElement).getScreenCTM()!;
        const screen = (at: number) => {
          const p = (path as SVGPathElement).getPointAtLength(at);
          return { x: ctm.a * p.x + ctm.c * p.y + ctm.e, y: ctm.b * p.x + ctm.d * p.y + ctm.f };
        };
        const start = screen(0);
        const end = screen(length);
        misses.push({
          edge: e.id,
          start: from ? Math.hypot(start.x - (from.left + from.width / 2), start.y - from.bottom) / zoom : 0,
          end: to ? Math.hypot(end.x - (to.left + to.width / 2), end.y - to.top) / zoom : 0,
        });
      }
      return misses;
    }, edges);

  it('draws a large workflow zoomed far out as bars whose edges meet their ports, and so again zoomed in', async () => {
    // 60 nodes far apart: the fitted view is zoomed far out; conditions have two outputs
    const typeAt = (i: number) =>
      i === 0 ? 'start' : i === 59 ? 'end' : i % 3 === 1 ? 'condition' : 'notify';
    const configs: Record<string, unknown> = {
      start: { trigger: 'ticket_created' },
      condition: { branches: [{ id: 'if', label: 'If', when: "ticket.priority == 'urgent'" }] },
      notify: { channel: 'in_app', recipients: [{ kind: 'assignee' }], body: 'Updated.' },
      end: { status: 'solved' },
    };
    const nodes = Array.from({ length: 60 }, (_, i) => ({
      id: `n${i}`,
      type: typeAt(i),
      typeVersion: 1,
      config: configs[typeAt(i)],
      position: { x: (i % 10) * 1200, y: Math.floor(i / 10) * 700 },
    }));
    const edges: { id: string; source: string; sourcePort: string; target: string }[] = [];
    for (let i = 0; i < 59; i++) {
      const isCondition = typeAt(i) === 'condition';
      edges.push({
        id: `c${i}`,
        source: `n${i}`,
        sourcePort: isCondition ? 'if' : 'out',
        target: `n${i + 1}`,
      });
      if (isCondition && i + 2 < 59)
        edges.push({ id: `x${i}`, source: `n${i}`, sourcePort: 'else', target: `n${i + 2}` });
    }
    const created = await server.gql(
      'mutation($g: JSON) { createWorkflow(key: "far-out", name: "Far out", graph: $g) { __typename } }',
      { g: { nodes, edges } },
      admin,
    );
    expect(created.data?.createWorkflow?.__typename).toBe('Workflow');
    const page = await open();
    await signIn(page);
    await page.goto(`${server.url}/admin/workflows/far-out`);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(edges.length);
    expect(await page.locator('.react-flow__node .wf-node-far').count()).toBe(60);
    await page.waitForTimeout(300);
    const far = await edgeMisses(page, edges);
    expect(far).toHaveLength(edges.length);
    expect(far.filter((m) => m.start > 1 || m.end > 1)).toEqual([]);
    await shoot(page, 'far-out');
    // Zoomed in on a condition with the mouse wheel until it is drawn as a card, taller than the
    // bar: its edges leave from the card's ports.
    for (let i = 0; i < 20 && (await node(page, 'n22').locator('.wf-node-far').count()) > 0; i++) {
      const box = (await node(page, 'n22').boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, -150);
      await page.waitForTimeout(150);
    }
    expect(await node(page, 'n22').locator('.wf-node-far').count()).toBe(0);
    await page.waitForTimeout(300);
    const near = (await edgeMisses(page, edges)).filter((m) => ['c21', 'c22', 'x22'].includes(m.edge));
    expect(near.map((m) => m.edge).sort()).toEqual(['c21', 'c22', 'x22']);
    expect(near.filter((m) => m.start > 1 || m.end > 1)).toEqual([]);
  });

  it('says when another admin changed the draft meanwhile, and loses neither version', async () => {
    const { id, graph } = await makeWorkflow('conflicted');
    const page = await open();
    await signIn(page);
    await page.goto(`${server.url}/admin/workflows/conflicted`);
    await expect.poll(() => node(page, 'done').isVisible()).toBe(true);
    // Another admin saves a renamed end while this page is open.
    const theirs = structuredClone(graph);
    (theirs.nodes[1] as { label?: string }).label = 'Their end';
    await server.gql(
      'mutation($id: ID!, $g: JSON) { updateWorkflowDraft(id: $id, graph: $g) { __typename } }',
      { id, g: theirs },
      admin,
    );
    // This admin moves the end: the save is refused, and the page says why.
    const box = (await node(page, 'done').boundingBox())!;
    await dragNode(page, 'done', { x: box.x + box.width / 2 + 200, y: box.y + 40 });
    await expect.poll(() => page.getByTestId('conflict-banner').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('conflict-banner').textContent()).toContain(
      'Someone else changed this draft since you opened it',
    );
    expect((await draftOf('conflicted')).nodes[1]).toMatchObject({
      label: 'Their end',
      position: { x: 0, y: 220 },
    });
    await page.getByRole('button', { name: 'Compare with theirs' }).click();
    await expect.poll(() => page.getByTestId('overlay-banner').isVisible()).toBe(true);
    await shoot(page, 'conflict');
    await page.getByRole('button', { name: 'Back to editing' }).click();
    // Keep mine: saved over theirs, knowingly.
    await page.getByRole('button', { name: 'Keep mine' }).click();
    await saved(page);
    const after = (await draftOf('conflicted')).nodes[1]!;
    expect(after.position.x).toBeGreaterThan(100);
  });

  it('keeps the draft in the browser while the server is down, and saves it when it is back', async () => {
    await makeWorkflow('offline');
    const page = await open();
    await signIn(page);
    await page.goto(`${server.url}/admin/workflows/offline`);
    await expect.poll(() => node(page, 'done').isVisible()).toBe(true);
    await page.route('**/graphql', (route) => route.abort('connectionrefused'));
    const box = (await node(page, 'done').boundingBox())!;
    await dragNode(page, 'done', { x: box.x + box.width / 2 + 240, y: box.y + 40 });
    await expect.poll(() => page.getByTestId('offline-banner').isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('save-status').textContent()).toBe('Not saved: server unreachable');
    await shoot(page, 'offline');
    const kept = await page.evaluate(() => localStorage.getItem('docket.workflow-draft.offline'));
    expect(JSON.parse(kept ?? '{}').graph.nodes[1].position.x).toBeGreaterThan(100);
    // The page is closed while the server is down; opened again once it is back, the change is offered.
    await page.close();
    const again = await context.newPage();
    await again.setViewportSize({ width: 1600, height: 1000 });
    watched = watchPage(again, server.url);
    await again.goto(`${server.url}/admin/workflows/offline`);
    await expect.poll(() => again.getByTestId('restore-banner').isVisible()).toBe(true);
    await screenshot(again, 'designer-restore.en');
    await again.getByRole('button', { name: 'Restore' }).click();
    await expect
      .poll(() => again.getByTestId('save-status').textContent(), { timeout: 15_000 })
      .toMatch(/^Saved/);
    expect((await draftOf('offline')).nodes[1]!.position.x).toBeGreaterThan(100);
  });

  it('shows a node whose type the server no longer knows, and keeps it when the draft is saved', async () => {
    await makeWorkflow('unknown-type', [
      {
        id: 'lookup',
        type: 'parcel.lookup',
        typeVersion: 2,
        config: { carrier: 'SF' },
        position: { x: 300, y: 100 },
      },
    ]);
    const page = await open();
    await signIn(page);
    await page.goto(`${server.url}/admin/workflows/unknown-type`);
    await expect.poll(() => node(page, 'lookup').isVisible()).toBe(true);
    expect(await page.getByTestId('unknown-types').textContent()).toContain('parcel.lookup');
    expect(await node(page, 'lookup').textContent()).toContain('Unknown type');
    await node(page, 'lookup').locator('.wf-node-head').click();
    expect(await page.getByTestId('inspector').textContent()).toContain('"carrier": "SF"');
    await shoot(page, 'unknown-type');
    // Another edit saves the draft: the unknown node goes along as it was.
    const box = (await node(page, 'done').boundingBox())!;
    await dragNode(page, 'done', { x: box.x + box.width / 2 - 150, y: box.y + 60 });
    await saved(page);
    expect((await draftOf('unknown-type')).nodes.find((n) => n.id === 'lookup')).toMatchObject({
      type: 'parcel.lookup',
      config: { carrier: 'SF' },
    });
  });
});
