import { describe, expect, it } from 'vitest';
import { createNodeTypeRegistry, defineNodeType } from './define-node-type.ts';
import type { WorkflowGraph } from './graph.ts';
import { migrateNodeConfig, migrateWorkflow } from './migrate.ts';
import { coreNodeTypes } from './node-types.ts';

/*
 * A node type whose config changed twice: v1 had a user id string, v2 made it an assignee rule,
 * v3 renamed "minutes" to a duration object.
 */
const reminder = defineNodeType({
  type: 'reminder',
  version: 3,
  title: 'Reminder',
  category: 'action',
  configSchema: {
    type: 'object',
    required: ['assignee', 'after'],
    properties: {
      assignee: { type: 'object', properties: { kind: { type: 'string' }, userId: { type: 'string' } } },
      after: { type: 'object', properties: { amount: { type: 'number' }, unit: { type: 'string' } } },
    },
  },
  defaultConfig: { assignee: { kind: 'user', userId: 'u1' }, after: { amount: 1, unit: 'hours' } },
  ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next' }] },
  migrations: [
    {
      version: 3,
      description: 'minutes became a duration',
      up: (c) => {
        const { minutes, ...rest } = c as { minutes: number };
        if (typeof minutes !== 'number') throw new Error('minutes is missing');
        return { ...rest, after: { amount: minutes, unit: 'minutes' } };
      },
    },
    {
      version: 2,
      description: 'user id became an assignee rule',
      up: (c) => {
        const { user, ...rest } = c as { user: string };
        return { ...rest, assignee: { kind: 'user', userId: user } };
      },
    },
  ],
});

describe('migrateNodeConfig', () => {
  it('brings a v1 config to the current version through every migration, in order', () => {
    const saved = { user: 'u7', minutes: 30 };
    const r = migrateNodeConfig(reminder, saved, 1);
    expect(r).toEqual({
      ok: true,
      version: 3,
      applied: [2, 3],
      config: { assignee: { kind: 'user', userId: 'u7' }, after: { amount: 30, unit: 'minutes' } },
    });
    expect(saved).toEqual({ user: 'u7', minutes: 30 }); // the saved config is not touched
  });

  it('runs only the migrations after the saved version', () => {
    const r = migrateNodeConfig(reminder, { assignee: { kind: 'user', userId: 'u7' }, minutes: 5 }, 2);
    expect(r).toMatchObject({ ok: true, applied: [3], config: { after: { amount: 5, unit: 'minutes' } } });
  });

  it('leaves a current config as it is', () => {
    expect(migrateNodeConfig(reminder, reminder.defaultConfig, 3)).toEqual({
      ok: true,
      version: 3,
      applied: [],
      config: reminder.defaultConfig,
    });
  });

  it('refuses a config from a newer version, and reports a failing migration', () => {
    expect(migrateNodeConfig(reminder, {}, 4)).toMatchObject({ ok: false, error: { code: 'newer_version' } });
    expect(migrateNodeConfig(reminder, {}, 0)).toMatchObject({ ok: false, error: { code: 'bad_version' } });
    const r = migrateNodeConfig(reminder, { user: 'u7' }, 1);
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'migration_failed', message: expect.stringMatching(/version 3.*minutes is missing/) },
    });
  });

  it('lists migrations as data when serialized', () => {
    expect(JSON.parse(JSON.stringify(reminder)).migrations).toEqual([
      { version: 2, description: 'user id became an assignee rule' },
      { version: 3, description: 'minutes became a duration' },
    ]);
  });

  it('keeps every core node type migratable from version 1', () => {
    for (const def of coreNodeTypes)
      expect(migrateNodeConfig(def, def.defaultConfig, 1).ok, def.type).toBe(true);
  });
});

describe('migrateWorkflow', () => {
  it('migrates each node of a saved graph and names those it cannot', () => {
    const registry = createNodeTypeRegistry([...coreNodeTypes, reminder]);
    const saved: WorkflowGraph = {
      nodes: [
        {
          id: 'start',
          type: 'start',
          typeVersion: 1,
          config: { trigger: 'ticket_created' },
          position: { x: 0, y: 0 },
        },
        {
          id: 'r1',
          type: 'reminder',
          typeVersion: 1,
          config: { user: 'u1', minutes: 10 },
          position: { x: 1, y: 0 },
        },
        { id: 'r2', type: 'reminder', typeVersion: 9, config: {}, position: { x: 2, y: 0 } },
        { id: 'x', type: 'gone', typeVersion: 1, config: {}, position: { x: 3, y: 0 } },
      ],
      edges: [],
    };
    const r = migrateWorkflow(saved, registry);
    expect(r.changedNodeIds).toEqual(['r1']);
    expect(r.graph.nodes[1]).toMatchObject({ typeVersion: 3, config: { after: { amount: 10 } } });
    expect(r.problems.map((p) => [p.nodeId, p.code])).toEqual([
      ['r2', 'newer_version'],
      ['x', 'unknown_type'],
    ]);
    expect(saved.nodes[1]?.typeVersion).toBe(1);
  });
});
