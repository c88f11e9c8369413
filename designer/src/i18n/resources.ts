import { shellMessages } from '../app/messages.ts';
import type { FeatureMessages, Messages } from './define-messages.ts';

/**
 * Where every feature's strings come from. The shell's (header, navigation, loading and refusal
 * pages) travel in the entry chunk; every other feature's are a chunk of their own, fetched with
 * the code of the area that shows them (see withMessages in i18n.ts), so the login page and the
 * desk do not download the designer's or the admin console's words.
 * A new feature area adds its messages.ts here (one line).
 */
export const lazyMessages = {
  auth: () => import('../features/auth/messages.ts').then((m) => m.authMessages),
  admin: () => import('../features/admin/messages.ts').then((m) => m.adminMessages),
  workflows: () => import('../features/workflows/messages.ts').then((m) => m.workflowsMessages),
  forms: () => import('../features/forms/messages.ts').then((m) => m.formsMessages),
  desk: () => import('../features/desk/messages.ts').then((m) => m.deskMessages),
  portal: () => import('../features/portal/messages.ts').then((m) => m.portalMessages),
  wall: () => import('../features/wall/messages.ts').then((m) => m.wallMessages),
  reports: () => import('../features/reports/messages.ts').then((m) => m.reportsMessages),
  schemaForm: () => import('../ui/SchemaForm/messages.ts').then((m) => m.schemaFormMessages),
  people: () => import('../features/people/messages.ts').then((m) => m.peopleMessages),
  org: () => import('../features/org/messages.ts').then((m) => m.orgMessages),
  calendars: () => import('../features/calendars/messages.ts').then((m) => m.calendarsMessages),
  sla: () => import('../features/sla/messages.ts').then((m) => m.slaMessages),
  statuses: () => import('../features/statuses/messages.ts').then((m) => m.statusesMessages),
  audit: () => import('../features/audit/messages.ts').then((m) => m.auditMessages),
  account: () => import('../features/account/messages.ts').then((m) => m.accountMessages),
  newPassword: () => import('../ui/NewPasswordFields/messages.ts').then((m) => m.newPasswordMessages),
};

type LazyNamespace = keyof typeof lazyMessages;
type AllMessages = { shell: typeof shellMessages } & {
  [N in LazyNamespace]: Awaited<ReturnType<(typeof lazyMessages)[N]>>;
};

// A loader filed under another namespace than its messages' own fails the typecheck, naming it.
type Misfiled = { [N in LazyNamespace]: AllMessages[N]['namespace'] extends N ? never : N }[LazyNamespace];
const everyLoaderUnderItsNamespace: [Misfiled] extends [never] ? true : Misfiled = true;
void everyLoaderUnderItsNamespace;

export type Namespace = keyof AllMessages;
export type EnglishResources = { [N in Namespace]: AllMessages[N]['en'] };

/** What the entry chunk carries: the shell's strings, in every language. */
export const bundledResources = {
  en: { shell: shellMessages.en },
  'zh-CN': { shell: shellMessages['zh-CN'] },
};

export const BUNDLED_NAMESPACES: readonly Namespace[] = ['shell'];

const isLazy = (namespace: string): namespace is LazyNamespace => Object.hasOwn(lazyMessages, namespace);

/** A namespace's strings in every language, fetched on first use; undefined for an unknown namespace. */
export async function loadMessages(
  namespace: string,
): Promise<FeatureMessages<string, Messages> | undefined> {
  if (namespace === shellMessages.namespace) return shellMessages;
  if (!isLazy(namespace)) return undefined;
  return (await lazyMessages[namespace]()) as FeatureMessages<string, Messages>;
}

/** Every feature's strings (the translation tests read them all). */
export const allFeatureMessages = (): Promise<FeatureMessages<string, Messages>[]> =>
  Promise.all(
    [shellMessages.namespace, ...Object.keys(lazyMessages)].map(async (n) => (await loadMessages(n))!),
  );
