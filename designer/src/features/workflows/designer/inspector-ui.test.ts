import {
  addNode,
  conditionNode,
  coreNodeTypeRegistry,
  emptyGraph,
  humanStepNode,
  notifyNode,
  setFieldsNode,
} from '@docket/core';
import { describe, expect, it } from 'vitest';
import { workflowsMessages } from '../messages.ts';
import {
  errorSchemaFor,
  localizedUiSchema,
  nodeLevelProblems,
  ruleFieldsOf,
  uiSchemaFor,
} from './inspector-ui.ts';

describe('the inspector form of a node type', () => {
  it('picks pickers, the CEL editor and the JSON editor from the config schema', () => {
    const human = uiSchemaFor(humanStepNode.configSchema);
    expect(human.assignee).toEqual({
      userId: { 'ui:widget': 'picker', 'ui:options': { picker: 'user' } },
      teamId: { 'ui:widget': 'picker', 'ui:options': { picker: 'team' } },
      roleId: { 'ui:widget': 'picker', 'ui:options': { picker: 'role' } },
      orgUnitId: { 'ui:widget': 'picker', 'ui:options': { picker: 'org_unit' } },
    });
    expect(human.formSchema).toEqual({ 'ui:field': 'json' });
    expect(human.rejectTo).toEqual({ 'ui:widget': 'nodePicker' });
    expect(human.timeLimit).toEqual({
      calendarId: { 'ui:widget': 'picker', 'ui:options': { picker: 'calendar' } },
    });
    expect(uiSchemaFor(conditionNode.configSchema)).toEqual({
      branches: { items: { when: { 'ui:widget': 'cel', 'ui:options': { celType: 'bool' } } } },
    });
    expect(uiSchemaFor(notifyNode.configSchema).channel).toEqual({
      'ui:widget': 'picker',
      'ui:options': { picker: 'notification_target' },
    });
    // a value of any type is edited as JSON
    expect(uiSchemaFor(setFieldsNode.configSchema)).toEqual({
      fields: {
        items: {
          value: { 'ui:field': 'json' },
          expression: { 'ui:widget': 'cel', 'ui:options': { celType: 'any' } },
        },
      },
    });
    // a plugin's schema with its own references
    expect(
      uiSchemaFor({ type: 'object', properties: { owner: { type: 'string', 'x-ref': 'team' } } }),
    ).toEqual({
      owner: { 'ui:widget': 'picker', 'ui:options': { picker: 'team' } },
    });
  });

  it('puts each server problem on the field it names', () => {
    const problems = [
      { code: 'required', message: 'Pick a team.', nodeId: 'a', configPath: '/assignee/teamId' },
      { code: 'x', message: 'Also wrong.', nodeId: 'a', configPath: '/assignee/teamId' },
      { code: 'cel_type', message: 'Not a bool.', nodeId: 'a', configPath: '/branches/0/when' },
      { code: 'missing_edge', message: 'Not connected.', nodeId: 'a' },
      { code: 'invalid_config', message: 'Bad config.', nodeId: 'a', configPath: '' },
    ];
    expect(errorSchemaFor(problems)).toEqual({
      __errors: ['Bad config.'],
      assignee: { teamId: { __errors: ['Pick a team.', 'Also wrong.'] } },
      branches: { 0: { when: { __errors: ['Not a bool.'] } } },
    });
    expect(nodeLevelProblems(problems).map((p) => p.code)).toEqual(['missing_edge', 'invalid_config']);
  });
});

describe('the fields a condition can test', () => {
  it('lists ticket fields, form fields with their titles and choices, and what earlier steps record', () => {
    let graph = addNode(emptyGraph(), {
      type: 'human_step',
      id: 'review',
      position: { x: 0, y: 0 },
      config: {
        ...humanStepNode.defaultConfig,
        formSchema: { type: 'object', properties: { approved: { type: 'boolean', title: 'Approved' } } },
      },
    });
    graph = addNode(graph, { type: 'end', id: 'done', position: { x: 0, y: 0 } });
    const fields = ruleFieldsOf({
      graph,
      nodeTypes: coreNodeTypeRegistry,
      formSchemas: [
        {
          type: 'object',
          properties: {
            returnReason: { type: 'string', title: 'Return reason', enum: ['defective', 'wrong_item'] },
            amount: { type: 'number' },
          },
        },
      ],
      labels: { ticket: 'Ticket', form: 'Form', step: (n) => `Step ${n}` },
    });
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('ticket.priority')).toEqual({
      name: 'ticket.priority',
      label: 'Ticket › priority',
      type: 'string',
    });
    expect(byName.get('ticket.categoryPath')?.type).toBe('list');
    expect(byName.get('form.returnReason')).toEqual({
      name: 'form.returnReason',
      label: 'Form › Return reason',
      type: 'string',
      values: ['defective', 'wrong_item'],
    });
    expect(byName.get('form.amount')?.type).toBe('double');
    expect(byName.get('steps.review.approved')).toEqual({
      name: 'steps.review.approved',
      label: 'Step review › Approved',
      type: 'bool',
    });
  });
});

describe('the config the inspector saves', () => {
  it('leaves out empty optional groups the form made, and keeps required ones and free-form objects', async () => {
    const { pruneEmptyObjects } = await import('./inspector-ui.ts');
    const config = {
      title: 'Check',
      assignee: { kind: 'team', teamId: 'Service desk', strategy: 'round_robin' },
      timeLimit: {},
      formSchema: {},
      cc: [],
      nothing: undefined,
    };
    expect(pruneEmptyObjects(config, humanStepNode.configSchema)).toEqual({
      title: 'Check',
      assignee: { kind: 'team', teamId: 'Service desk', strategy: 'round_robin' },
      formSchema: {},
      cc: [],
    });
    expect(pruneEmptyObjects({ assignee: {} }, humanStepNode.configSchema)).toEqual({ assignee: {} });
  });
});

describe('the inspector in Chinese', () => {
  it("names a list's items too (each recipient of a notify step), not only the list", () => {
    const schema = notifyNode.configSchema;
    const ui = localizedUiSchema(schema, uiSchemaFor(schema), workflowsMessages['zh-CN'].fields);
    const recipients = ui.recipients as { 'ui:title'?: string; items?: Record<string, unknown> };
    expect(recipients['ui:title']).toBe('接收方');
    expect(recipients.items?.['ui:title']).toBe('接收方');
    expect(recipients.items?.kind).toMatchObject({ 'ui:title': '对象' });
    // The picker stays: localizing keeps what uiSchemaFor chose.
    expect(ui.channel).toMatchObject({ 'ui:widget': 'picker', 'ui:title': '发送方式' });
  });
});
