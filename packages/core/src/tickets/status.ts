/** Status categories are fixed; a template may name statuses inside a category. */
export const STATUS_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/**
 * Where a ticket or a change came from: the key of a channel the server has registered (the core
 * ones below, and those plugins add). `system` is Docket itself (workflow steps, timers).
 */
export type Channel = string;

/** A channel as the server registers it: its key, what people call it, and whether tickets come in through it. */
export type ChannelDefinition = {
  readonly key: string;
  readonly title: string;
  /** The title in other languages, by locale ("zh-CN"); `title` where one is missing. */
  readonly titles?: Readonly<Record<string, string>>;
  readonly description?: string;
  /** Tickets can be created through it (false only for `system`). */
  readonly isInbound: boolean;
};

/** The channels Docket knows without plugins. */
export const CORE_CHANNELS: readonly ChannelDefinition[] = [
  {
    key: 'phone',
    title: 'Phone',
    titles: { 'zh-CN': '电话' },
    description: 'Entered by an agent during a call.',
    isInbound: true,
  },
  { key: 'email', title: 'Email', titles: { 'zh-CN': '邮件' }, isInbound: true },
  {
    key: 'web',
    title: 'Web form',
    titles: { 'zh-CN': '网页表单' },
    description: 'The customer portal and public forms.',
    isInbound: true,
  },
  { key: 'chat', title: 'Chat', titles: { 'zh-CN': '在线客服' }, isInbound: true },
  {
    key: 'api',
    title: 'API',
    titles: { 'zh-CN': '接口' },
    description: 'Another system, with an API token.',
    isInbound: true,
  },
  { key: 'messaging', title: 'Messaging apps', titles: { 'zh-CN': '即时通讯' }, isInbound: true },
  {
    key: 'agent',
    title: 'Agent desk',
    titles: { 'zh-CN': '客服工作台' },
    description: 'Created or changed by staff in Docket.',
    isInbound: true,
  },
  {
    key: 'system',
    title: 'Docket',
    titles: { 'zh-CN': 'Docket 系统' },
    description: 'Workflow steps, timers and SLA actions.',
    isInbound: false,
  },
];

/** Who a ticket event is by: staff, a customer, or Docket itself (workflow steps, timers). */
export const ACTOR_KINDS = ['user', 'customer', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const isStatusCategory = (v: unknown): v is StatusCategory =>
  typeof v === 'string' && (STATUS_CATEGORIES as readonly string[]).includes(v);
export const isPriority = (v: unknown): v is Priority =>
  typeof v === 'string' && (PRIORITIES as readonly string[]).includes(v);

/** Which status categories count as open work (not solved or closed). */
export const isOpenCategory = (c: StatusCategory): boolean => c !== 'solved' && c !== 'closed';
