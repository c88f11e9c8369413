import {
  type DataScope,
  type LocalizedNames,
  type OrgUnitKind,
  PERMISSIONS,
  type Permission,
  type TemplateContent,
} from '@docket/core';

/**
 * The example data `npm start` loads on a fresh database: an org tree, one user per role, a
 * customer, ticket templates with forms and their workflows, and the SLA calendar and policies of
 * scenario 3. Plain data; the server's seed loader writes it through the same services the API uses.
 */
export const EXAMPLE_PASSWORD = 'docket-demo';

export type ExampleOrgUnit = {
  ref: string;
  name: string;
  kind: OrgUnitKind;
  parent?: string;
  /** The email of the user who runs the unit (its people's work escalates to them). */
  manager?: string;
};
export const orgUnits: ExampleOrgUnit[] = [
  { ref: 'hq', name: 'Headquarters', kind: 'hq' },
  { ref: 'north', name: 'North Region', kind: 'region', parent: 'hq', manager: 'manager.north@docket.local' },
  { ref: 'south', name: 'South Region', kind: 'region', parent: 'hq' },
  { ref: 'storeA', name: 'Store A (Beijing Chaoyang)', kind: 'store', parent: 'north' },
  { ref: 'storeB', name: 'Store B (Tianjin Heping)', kind: 'store', parent: 'north' },
  { ref: 'storeC', name: 'Store C (Guangzhou Tianhe)', kind: 'store', parent: 'south' },
  { ref: 'service', name: 'Customer Service Department', kind: 'department', parent: 'hq' },
];

const ticketWork: Permission[] = [
  'ticket.read',
  'ticket.create',
  'ticket.update',
  'ticket.assign',
  'ticket.reply',
  'ticket.note',
];
export type ExampleRole = {
  key: string;
  name: string;
  /** The name in the web app's other languages. */
  names: LocalizedNames;
  permissions: Permission[];
  dataScope: DataScope;
};
export const roles: ExampleRole[] = [
  {
    key: 'admin',
    name: 'Administrator',
    names: { 'zh-CN': '系统管理员' },
    permissions: [...PERMISSIONS],
    dataScope: 'all',
  },
  {
    key: 'owner',
    name: 'Business owner',
    names: { 'zh-CN': '业务负责人' },
    permissions: ['ticket.read', 'template.manage', 'workflow.manage', 'report.read'],
    dataScope: 'all',
  },
  {
    key: 'manager',
    name: 'Regional manager',
    names: { 'zh-CN': '区域经理' },
    permissions: [...ticketWork, 'team.manage', 'report.read'],
    dataScope: 'org_subtree',
  },
  {
    key: 'agent',
    name: 'Store agent',
    names: { 'zh-CN': '门店客服' },
    permissions: [...ticketWork, 'report.read'],
    dataScope: 'org_subtree',
  },
  // The call centre opens tickets for any caller, so it looks customers up across the company.
  {
    key: 'service_agent',
    name: 'Service desk agent',
    names: { 'zh-CN': '服务台坐席' },
    permissions: [...ticketWork, 'customer.manage'],
    dataScope: 'team',
  },
  {
    key: 'technician',
    name: 'Field technician',
    names: { 'zh-CN': '现场技术员' },
    permissions: ['ticket.read', 'ticket.update', 'ticket.reply', 'ticket.note'],
    dataScope: 'own',
  },
];

export type ExampleUser = { email: string; name: string; org: string; roles: string[]; manager?: string };
export const users: ExampleUser[] = [
  { email: 'admin@docket.local', name: 'Ada Admin', org: 'hq', roles: ['admin'] },
  { email: 'owner@docket.local', name: 'Olivia Owner', org: 'hq', roles: ['owner'] },
  { email: 'manager.north@docket.local', name: 'Ming Manager', org: 'north', roles: ['manager'] },
  {
    email: 'agent.a@docket.local',
    name: 'Anna Agent (Store A)',
    org: 'storeA',
    roles: ['agent'],
    manager: 'manager.north@docket.local',
  },
  {
    email: 'agent.b@docket.local',
    name: 'Bo Agent (Store B)',
    org: 'storeB',
    roles: ['agent'],
    manager: 'manager.north@docket.local',
  },
  { email: 'service@docket.local', name: 'Sam Service', org: 'service', roles: ['service_agent'] },
  {
    email: 'tech@docket.local',
    name: 'Tao Technician',
    org: 'storeA',
    roles: ['technician'],
    manager: 'manager.north@docket.local',
  },
];

export const teams = [
  {
    name: 'Service desk',
    org: 'service',
    members: [{ email: 'service@docket.local', skills: ['billing', 'complaint'] }],
  },
  { name: 'Store A repairs', org: 'storeA', members: [{ email: 'tech@docket.local', skills: ['repair'] }] },
  { name: 'Warehouse', org: 'storeA', members: [{ email: 'tech@docket.local', skills: ['warehouse'] }] },
  { name: 'Finance', org: 'north', members: [{ email: 'manager.north@docket.local', skills: ['refund'] }] },
];

export const customers = [{ name: 'Chen Customer', email: 'customer@example.com', phone: '+8613800000001' }];

export const templates: { key: string; content: TemplateContent }[] = [
  {
    key: 'returns',
    content: {
      name: 'Return or refund',
      description: 'A customer returns a product or asks for a refund.',
      categoryPath: ['After-sales', 'Returns'],
      defaultPriority: 'normal',
      numberPattern: 'RT-{yyyyMMdd}-{seq:6}',
      formSchema: {
        type: 'object',
        required: ['returnReason', 'productModel', 'purchaseDate', 'logistics'],
        properties: {
          returnReason: {
            type: 'string',
            title: 'Return reason',
            oneOf: [
              { const: 'defective', title: 'Defective on arrival' },
              { const: 'wrong_item', title: 'Wrong item delivered' },
              { const: 'not_as_described', title: 'Not as described' },
              { const: 'changed_mind', title: 'Changed mind (within 7 days)' },
            ],
          },
          productModel: { type: 'string', title: 'Product model', minLength: 2, maxLength: 80 },
          purchaseDate: { type: 'string', title: 'Purchase date', format: 'date' },
          logistics: {
            type: 'object',
            title: 'Logistics information',
            required: ['carrier', 'trackingNumber'],
            properties: {
              carrier: { type: 'string', title: 'Carrier', minLength: 1 },
              trackingNumber: { type: 'string', title: 'Tracking number', minLength: 4 },
            },
          },
          refundAmount: { type: 'number', title: 'Refund amount', minimum: 0 },
        },
      },
      uiSchema: {
        'ui:order': ['returnReason', 'productModel', 'purchaseDate', 'logistics', 'refundAmount'],
        purchaseDate: { 'ui:widget': 'date' },
      },
      workflowKey: 'returns',
    },
  },
  {
    key: 'call-centre',
    content: {
      name: 'Call-centre service request',
      description: 'An agent takes a call and records what the customer needs.',
      categoryPath: ['Call centre', 'Service request'],
      defaultPriority: 'normal',
      numberPattern: 'CC-{yyyyMM}-{seq:5}',
      formSchema: {
        type: 'object',
        required: ['callerNumber', 'serviceCategory', 'details'],
        properties: {
          callerNumber: { type: 'string', title: 'Caller number', pattern: '^\\+?[0-9 -]{5,20}$' },
          serviceCategory: {
            type: 'string',
            title: 'Service category',
            enum: ['billing', 'repair', 'complaint', 'consultation'],
          },
          details: { type: 'string', title: 'Details', minLength: 5 },
          needsFollowUp: { type: 'boolean', title: 'Follow-up visit needed', default: false },
        },
      },
      uiSchema: { details: { 'ui:widget': 'textarea' } },
      workflowKey: 'call-centre',
    },
  },
  {
    key: 'store-complaint',
    content: {
      name: 'Store complaint',
      description: 'A customer complains about a store; the service desk dispatches it to the store.',
      categoryPath: ['After-sales', 'Complaint'],
      defaultPriority: 'high',
      numberPattern: 'SC-{yyyyMMdd}-{seq:4}',
      formSchema: {
        type: 'object',
        required: ['complaint'],
        properties: {
          complaint: { type: 'string', title: 'What happened', minLength: 5 },
          orderNumber: { type: 'string', title: 'Order number' },
        },
      },
      uiSchema: { complaint: { 'ui:widget': 'textarea' } },
      workflowKey: 'store-dispatch',
    },
  },
  {
    key: 'product-a-fault',
    content: {
      name: 'Product A major fault',
      description: 'A Product A unit is down or unsafe: urgent, first response within 15 minutes.',
      categoryPath: ['Product A', 'Major fault'],
      defaultPriority: 'urgent',
      numberPattern: 'PA-{yyyyMMdd}-{seq:4}',
      formSchema: {
        type: 'object',
        required: ['serialNumber', 'symptom'],
        properties: {
          serialNumber: { type: 'string', title: 'Serial number', minLength: 4 },
          symptom: { type: 'string', title: 'What is wrong', minLength: 5 },
        },
      },
      uiSchema: { symptom: { 'ui:widget': 'textarea' } },
    },
  },
  {
    key: 'enquiry',
    content: {
      name: 'Customer enquiry',
      description: "A question or request that came in by mail or chat, in the customer's own words.",
      categoryPath: ['Service desk', 'Enquiry'],
      defaultPriority: 'normal',
      numberPattern: 'EQ-{yyyyMMdd}-{seq:4}',
      formSchema: {
        type: 'object',
        required: ['message'],
        properties: { message: { type: 'string', title: 'Message', minLength: 1 } },
      },
      uiSchema: { message: { 'ui:widget': 'textarea' } },
    },
  },
  {
    key: 'product-b-issue',
    content: {
      name: 'Product B ordinary problem',
      description: 'A question or minor problem with Product B: first response within 30 office minutes.',
      categoryPath: ['Product B', 'Ordinary problem'],
      defaultPriority: 'normal',
      numberPattern: 'PB-{yyyyMMdd}-{seq:4}',
      formSchema: {
        type: 'object',
        required: ['question'],
        properties: {
          serialNumber: { type: 'string', title: 'Serial number' },
          question: { type: 'string', title: 'The problem', minLength: 5 },
        },
      },
      uiSchema: { question: { 'ui:widget': 'textarea' } },
    },
  },
];

/** Named statuses the desks use, each within its category (an SLA policy may pause in them). */
export * from './plugins.ts';
export { businessCalendars, slaPolicies } from './sla.ts';

export const ticketStatuses: { name: string; category: 'pending' | 'on_hold' | 'solved' | 'closed' }[] = [
  { name: 'Awaiting customer reply', category: 'pending' },
  { name: 'Waiting for parts', category: 'on_hold' },
  { name: 'Engineer visit booked', category: 'on_hold' },
  // Where the returns workflow ends (its end nodes name them).
  { name: 'Refunded', category: 'solved' },
  { name: 'Return declined', category: 'closed' },
];
export { workflows } from './workflows.ts';
