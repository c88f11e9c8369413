import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/statuses: named statuses within the fixed categories. */
export const statusesSection = defineAdminSection({
  key: 'statuses',
  path: 'statuses',
  label: (t) => t('sections.statuses'),
  permission: 'TEMPLATE_MANAGE',
  messages: ['statuses'],
  load: () => import('./StatusesPage/index.tsx'),
});
