import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/users: the staff directory; invite, edit, reset password, deactivate. */
export const usersSection = defineAdminSection({
  key: 'users',
  path: 'users',
  label: (t) => t('people:sections.users'),
  permission: 'USER_MANAGE',
  load: () => import('./UsersPage/index.tsx'),
});

/** /admin/roles: permission sets and data scopes. */
export const rolesSection = defineAdminSection({
  key: 'roles',
  path: 'roles',
  label: (t) => t('people:sections.roles'),
  permission: 'ROLE_MANAGE',
  load: () => import('./RolesPage/index.tsx'),
});

/** /admin/teams: members and their skills. */
export const teamsSection = defineAdminSection({
  key: 'teams',
  path: 'teams',
  label: (t) => t('people:sections.teams'),
  permission: 'TEAM_MANAGE',
  load: () => import('./TeamsPage/index.tsx'),
});

/** /admin/tokens: API tokens, shown once. */
export const tokensSection = defineAdminSection({
  key: 'tokens',
  path: 'tokens',
  label: (t) => t('people:sections.tokens'),
  permission: 'TOKEN_MANAGE',
  load: () => import('./TokensPage/index.tsx'),
});
