import { defineAdminSection } from '../../app/define-area.ts';
import { preloadWorkflowPage } from './preload.ts';

/** /admin/workflows: the list, and each workflow's page (the designer grows there). */
export const workflowsSection = defineAdminSection({
  key: 'workflows',
  path: 'workflows',
  label: (t) => t('sections.workflows'),
  permission: 'WORKFLOW_MANAGE',
  messages: ['workflows', 'schemaForm'],
  load: () => {
    preloadWorkflowPage(window.location.pathname);
    return import('./WorkflowsRoutes.tsx');
  },
});
