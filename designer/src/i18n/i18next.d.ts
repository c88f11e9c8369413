import 'i18next';
import type { EnglishResources } from './resources.ts';

// t('desk:myTasks.title') is checked against the English resources: an unknown key fails the typecheck.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'shell';
    resources: EnglishResources;
  }
}
