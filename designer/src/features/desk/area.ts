import { defineArea } from '../../app/define-area.ts';

export const deskArea = defineArea({
  key: 'desk',
  path: '/desk',
  label: (t) => t('desk:area'),
  canEnter: (access) => access.can('TICKET_READ'),
  load: () => import('./DeskArea/index.tsx'),
});
