import { defineArea } from '../../app/define-area.ts';
import { adminSections, adminSectionsFor } from './sections.ts';

export const adminArea = defineArea({
  key: 'admin',
  path: '/admin',
  label: (t) => t('areas.admin'),
  canEnter: (access) => adminSectionsFor(access).length > 0,
  messages: ['admin'],
  load: () => import('./AdminArea/index.tsx'),
  preloadBelow: (pathname) => {
    const path = pathname.split('/')[2];
    adminSections.find((s) => s.path === path)?.preload();
  },
});
