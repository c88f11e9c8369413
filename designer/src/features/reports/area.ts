import { defineArea } from '../../app/define-area.ts';

export const reportsArea = defineArea({
  key: 'reports',
  path: '/reports',
  label: (t) => t('reports:area'),
  canEnter: (access) => access.can('TICKET_READ'),
  load: () => import('./ReportsArea/index.tsx'),
});
