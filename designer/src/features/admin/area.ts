import { defineArea } from '../../app/define-area.ts';
import { adminSectionsFor } from './sections.ts';

export const adminArea = defineArea({
  key: 'admin',
  path: '/admin',
  label: (t) => t('areas.admin'),
  canEnter: (access) => adminSectionsFor(access).length > 0,
  messages: ['admin'],
  load: () => import('./AdminArea/index.tsx'),
});
