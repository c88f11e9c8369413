import { defineArea } from '../../app/define-area.ts';

export const reportsArea = defineArea({
  key: 'reports',
  path: '/reports',
  label: (t) => t('areas.reports'),
  canEnter: (access) => access.can('TICKET_READ'),
  messages: ['reports'],
  load: () => import('./ReportsArea/index.tsx'),
});
