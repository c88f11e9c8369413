import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/templates: the list, and each template's page (the form builder grows there). */
export const templatesSection = defineAdminSection({
  key: 'templates',
  path: 'templates',
  label: (t) => t('forms:section'),
  permission: 'TEMPLATE_MANAGE',
  load: () => import('./TemplatesRoutes.tsx'),
});
