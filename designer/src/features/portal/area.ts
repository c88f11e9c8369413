import { defineArea } from '../../app/define-area.ts';

export const portalArea = defineArea({
  key: 'portal',
  path: '/portal',
  label: (t) => t('areas.portal'),
  canEnter: (access) => access.isCustomer,
  messages: ['portal', 'schemaForm'],
  load: () => import('./PortalArea/index.tsx'),
});
