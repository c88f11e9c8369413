/** Status categories are fixed; a template may name statuses inside a category. */
export const STATUS_CATEGORIES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type StatusCategory = (typeof STATUS_CATEGORIES)[number];

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Where a ticket or a change came from; `system` is Docket itself (workflow steps, timers), never an input. */
export const CHANNELS = ['phone', 'email', 'web', 'chat', 'api', 'messaging', 'agent', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who a ticket event is by: staff, a customer, or Docket itself (workflow steps, timers). */
export const ACTOR_KINDS = ['user', 'customer', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export const isStatusCategory = (v: unknown): v is StatusCategory =>
  typeof v === 'string' && (STATUS_CATEGORIES as readonly string[]).includes(v);
export const isPriority = (v: unknown): v is Priority =>
  typeof v === 'string' && (PRIORITIES as readonly string[]).includes(v);
export const isChannel = (v: unknown): v is Channel =>
  typeof v === 'string' && (CHANNELS as readonly string[]).includes(v);

/** Which status categories count as open work (not solved or closed). */
export const isOpenCategory = (c: StatusCategory): boolean => c !== 'solved' && c !== 'closed';
