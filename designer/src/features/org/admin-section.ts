import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/org: the org tree (add, rename, move by drag with its impact said first). */
export const orgSection = defineAdminSection({
  key: 'org',
  path: 'org',
  label: (t) => t('sections.org'),
  permission: 'ORG_MANAGE',
  messages: ['org'],
  load: () => import('./OrgPage/index.tsx'),
});
