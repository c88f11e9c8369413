import { defineArea } from '../../app/define-area.ts';

export const deskArea = defineArea({
  key: 'desk',
  path: '/desk',
  label: (t) => t('areas.desk'),
  canEnter: (access) => access.can('TICKET_READ'),
  messages: ['desk', 'schemaForm'],
  load: () => import('./DeskArea/index.tsx'),
});
