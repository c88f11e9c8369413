import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/wall-tokens: tokens that open the live wall of an org subtree on a screen, revoke. */
export const wallTokensSection = defineAdminSection({
  key: 'wall-tokens',
  path: 'wall-tokens',
  label: (t) => t('sections.wallTokens'),
  permission: 'TOKEN_MANAGE',
  messages: ['wall'],
  load: () => import('./WallTokensPage/index.tsx'),
});
