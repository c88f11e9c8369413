import { defineArea } from '../../app/define-area.ts';

export const wallArea = defineArea({
  key: 'wall',
  path: '/wall',
  label: (t) => t('wall:area'),
  canEnter: (access) => access.can('TICKET_READ'),
  load: () => import('./WallArea/index.tsx'),
});
