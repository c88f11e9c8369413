import { describe, expect, expectTypeOf, it } from 'vitest';
import { validateFormData } from '../forms/form-validator.ts';
import {
  defineNodeType,
  type NodeConfigOf,
  type NodeTypeDefinition,
  outputPortsOf,
} from './define-node-type.ts';
import type { FromSchema } from './json-schema-type.ts';
import {
  conditionNode,
  coreNodeTypes,
  type HumanStepConfig,
  humanStepNode,
  type timerNode,
} from './node-types.ts';

describe('defineNodeType', () => {
  const escalate = defineNodeType({
    type: 'escalate',
    version: 1,
    title: 'Escalate',
    category: 'action',
    configSchema: {
      type: 'object',
      required: ['level', 'notify'],
      properties: {
        level: { type: 'integer', minimum: 1 },
        notify: { type: 'boolean' },
        note: { type: 'string' },
        mode: { type: 'string', enum: ['up', 'sideways'] },
        tags: { type: 'array', items: { type: 'string' } },
        target: {
          type: 'object',
          required: ['kind'],
          properties: { kind: { const: 'manager' }, depth: { type: 'number' } },
        },
      },
    },
    defaultConfig: { level: 1, notify: true },
    ports: { hasInput: true, outputs: [{ id: 'out', label: 'Next', isRequired: true }] },
  });

  it('infers the config type from the JSON Schema', () => {
    expectTypeOf(escalate.type).toEqualTypeOf<'escalate'>();
    expectTypeOf<NodeConfigOf<typeof escalate>>().toEqualTypeOf<{
      level: number;
      notify: boolean;
      note?: string;
      mode?: 'up' | 'sideways';
      tags?: string[];
      target?: { kind: 'manager'; depth?: number };
    }>();
    expectTypeOf(escalate).toExtend<NodeTypeDefinition<'escalate'>>();
  });

  it('pins the config types of the core node types', () => {
    expectTypeOf<HumanStepConfig['actions']>().toEqualTypeOf<
      ('complete' | 'transfer' | 'return' | 'reject')[]
    >();
    expectTypeOf<HumanStepConfig['assignee']['kind']>().toEqualTypeOf<
      'user' | 'team' | 'role' | 'org_unit'
    >();
    expectTypeOf<HumanStepConfig['assignee']['strategy']>().toEqualTypeOf<
      'round_robin' | 'least_loaded' | undefined
    >();
    expectTypeOf<NodeConfigOf<typeof conditionNode>>().toEqualTypeOf<{
      branches: { id: string; when: string; label?: string }[];
    }>();
    expectTypeOf<NodeConfigOf<typeof timerNode>['mode']>().toEqualTypeOf<'duration' | 'until'>();
    expectTypeOf<FromSchema<{ type: 'object'; additionalProperties: { type: 'string' } }>>().toEqualTypeOf<
      Record<string, string>
    >();
    expectTypeOf<FromSchema<{ oneOf: [{ type: 'string' }, { type: 'null' }] }>>().toEqualTypeOf<
      string | null
    >();
    expectTypeOf<FromSchema<{ allOf: [] }>>().toEqualTypeOf<unknown>();
  });

  it('rejects a config that does not match the schema at compile time', () => {
    defineNodeType({
      type: 'typed',
      version: 1,
      title: 'Typed',
      category: 'action',
      configSchema: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
      // @ts-expect-error n must be a number
      defaultConfig: { n: 'one' },
      ports: { hasInput: true, outputs: [] },
    });
  });

  it('returns plain serializable data, frozen', () => {
    const json = JSON.parse(JSON.stringify(humanStepNode));
    expect(json.type).toBe('human_step');
    expect(json.version).toBe(1);
    expect(json.ports.outputs).toEqual([{ id: 'out', label: 'Completed', isRequired: true }]);
    expect(json.configSchema.properties.assignee.properties.kind.enum).toEqual([
      'user',
      'team',
      'role',
      'org_unit',
    ]);
    expect(json.isWaiting).toBe(true);
    expect(Object.isFrozen(humanStepNode)).toBe(true);
  });

  it('refuses malformed definitions', () => {
    const base = {
      title: 'X',
      category: 'action' as const,
      configSchema: { type: 'object' } as const,
      defaultConfig: {},
      ports: { hasInput: true, outputs: [] },
    };
    expect(() => defineNodeType({ ...base, type: 'Bad Type', version: 1 })).toThrow(/lowercase/);
    expect(() => defineNodeType({ ...base, type: 'x', version: 0 })).toThrow(/version/);
    expect(() => defineNodeType({ ...base, type: 'x', version: 2 })).toThrow(/needs 1 migration/);
    expect(() =>
      defineNodeType({
        ...base,
        type: 'x',
        version: 1,
        ports: {
          hasInput: true,
          outputs: [
            { id: 'a', label: 'A' },
            { id: 'a', label: 'A' },
          ],
        },
      }),
    ).toThrow(/twice/);
    expect(() => defineNodeType({ ...base, type: 'plugin.acme.sync', version: 1 })).not.toThrow();
  });

  it('gives conditions one output per branch, then else', () => {
    const ports = outputPortsOf(conditionNode, {
      branches: [
        { id: 'vip', label: 'VIP', when: 'true' },
        { id: 'big', when: 'true' },
      ],
    });
    expect(ports.map((p) => [p.id, p.label])).toEqual([
      ['vip', 'VIP'],
      ['big', 'big'],
      ['else', 'Else'],
    ]);
  });

  it('gives every core node type a default config its own schema accepts (sub-workflow needs a choice)', () => {
    for (const def of coreNodeTypes) {
      const errors = validateFormData(def.configSchema, def.defaultConfig);
      if (def.type === 'sub_workflow') expect(errors.map((e) => e.path)).toEqual(['/workflowId']);
      else expect(errors, def.type).toEqual([]);
    }
  });
});
