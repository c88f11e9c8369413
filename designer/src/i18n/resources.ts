import { shellMessages } from '../app/messages.ts';
import { accountMessages } from '../features/account/messages.ts';
import { adminMessages } from '../features/admin/messages.ts';
import { auditMessages } from '../features/audit/messages.ts';
import { authMessages } from '../features/auth/messages.ts';
import { calendarsMessages } from '../features/calendars/messages.ts';
import { deskMessages } from '../features/desk/messages.ts';
import { formsMessages } from '../features/forms/messages.ts';
import { orgMessages } from '../features/org/messages.ts';
import { peopleMessages } from '../features/people/messages.ts';
import { portalMessages } from '../features/portal/messages.ts';
import { reportsMessages } from '../features/reports/messages.ts';
import { slaMessages } from '../features/sla/messages.ts';
import { statusesMessages } from '../features/statuses/messages.ts';
import { wallMessages } from '../features/wall/messages.ts';
import { workflowsMessages } from '../features/workflows/messages.ts';
import { newPasswordMessages } from '../ui/NewPasswordFields/messages.ts';
import { schemaFormMessages } from '../ui/SchemaForm/messages.ts';
import type { LanguageCode } from './define-messages.ts';

/** Every feature's strings. A new feature area adds its messages.ts here (one line). */
export const featureMessages = [
  shellMessages,
  authMessages,
  adminMessages,
  workflowsMessages,
  formsMessages,
  deskMessages,
  portalMessages,
  wallMessages,
  reportsMessages,
  schemaFormMessages,
  peopleMessages,
  orgMessages,
  calendarsMessages,
  slaMessages,
  statusesMessages,
  auditMessages,
  accountMessages,
  newPasswordMessages,
] as const;

type Feature = (typeof featureMessages)[number];
type ResourcesOf<L extends LanguageCode> = { [F in Feature as F['namespace']]: F[L] };

function resourcesOf<L extends LanguageCode>(language: L): ResourcesOf<L> {
  return Object.fromEntries(featureMessages.map((f) => [f.namespace, f[language]])) as ResourcesOf<L>;
}

export const resources = { en: resourcesOf('en'), 'zh-CN': resourcesOf('zh-CN') };
export type EnglishResources = ResourcesOf<'en'>;
export type Namespace = Feature['namespace'];
export const namespaces: Namespace[] = featureMessages.map((f) => f.namespace);
