import { defineAdminSection } from '../../app/define-area.ts';
import { preloadWorkflowPage } from './preload.ts';

/** /admin/workflows: the list, and each workflow's page (the designer grows there). */
export const workflowsSection = defineAdminSection({
  key: 'workflows',
  path: 'workflows',
  label: (t) => t('workflows:section'),
  permission: 'WORKFLOW_MANAGE',
  load: () => {
    preloadWorkflowPage(window.location.pathname);
    return import('./WorkflowsRoutes.tsx');
  },
});
