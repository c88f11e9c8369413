import { defineArea } from '../../app/define-area.ts';

export const wallArea = defineArea({
  key: 'wall',
  path: '/wall',
  label: (t) => t('areas.wall'),
  canEnter: (access) => access.can('TICKET_READ'),
  messages: ['wall'],
  load: () => import('./WallArea/index.tsx'),
});
