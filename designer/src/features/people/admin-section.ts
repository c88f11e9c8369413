import { defineAdminSection } from '../../app/define-area.ts';

/** /admin/users: the staff directory; invite, edit, reset password, deactivate. */
export const usersSection = defineAdminSection({
  key: 'users',
  path: 'users',
  label: (t) => t('sections.users'),
  permission: 'USER_MANAGE',
  messages: ['people'],
  load: () => import('./UsersPage/index.tsx'),
});

/** /admin/roles: permission sets and data scopes. */
export const rolesSection = defineAdminSection({
  key: 'roles',
  path: 'roles',
  label: (t) => t('sections.roles'),
  permission: 'ROLE_MANAGE',
  messages: ['people'],
  load: () => import('./RolesPage/index.tsx'),
});

/** /admin/teams: members and their skills. */
export const teamsSection = defineAdminSection({
  key: 'teams',
  path: 'teams',
  label: (t) => t('sections.teams'),
  permission: 'TEAM_MANAGE',
  messages: ['people'],
  load: () => import('./TeamsPage/index.tsx'),
});

/** /admin/tokens: API tokens, shown once. */
export const tokensSection = defineAdminSection({
  key: 'tokens',
  path: 'tokens',
  label: (t) => t('sections.tokens'),
  permission: 'TOKEN_MANAGE',
  messages: ['people'],
  load: () => import('./TokensPage/index.tsx'),
});
