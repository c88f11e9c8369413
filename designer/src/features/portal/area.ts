import { defineArea } from '../../app/define-area.ts';

export const portalArea = defineArea({
  key: 'portal',
  path: '/portal',
  label: (t) => t('portal:area'),
  canEnter: (access) => access.isCustomer,
  load: () => import('./PortalArea/index.tsx'),
});
