import { defineArea } from '../../app/define-area.ts';
import { adminSectionsFor } from './sections.ts';

export const adminArea = defineArea({
  key: 'admin',
  path: '/admin',
  label: (t) => t('admin:area'),
  canEnter: (access) => adminSectionsFor(access).length > 0,
  load: () => import('./AdminArea/index.tsx'),
});
