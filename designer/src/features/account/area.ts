import { defineArea } from '../../app/define-area.ts';

/** /account: what signed-in staff set for themselves (where their notices reach them). */
export const accountArea = defineArea({
  key: 'account',
  path: '/account',
  label: (t) => t('areas.account'),
  canEnter: (access) => access.isStaff,
  messages: ['account', 'newPassword'],
  load: () => import('./AccountArea/index.tsx'),
});
