import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/templates: the list, and each template's page (the form builder grows there). */
export const templatesSection = defineAdminSection({
  key: 'templates',
  path: 'templates',
  label: (t) => t('sections.templates'),
  permission: 'TEMPLATE_MANAGE',
  messages: ['forms', 'schemaForm', 'workflows'],
  load: () => import('./TemplatesRoutes.tsx'),
});
