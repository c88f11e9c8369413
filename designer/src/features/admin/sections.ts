import type { AdminSectionDefinition } from '../../app/define-area.ts';
import type { Access } from '../../session/access.ts';
import { auditSection } from '../audit/admin-section.ts';
import { calendarsSection } from '../calendars/admin-section.ts';
import { templatesSection } from '../forms/admin-section.ts';
import { orgSection } from '../org/admin-section.ts';
import { rolesSection, teamsSection, tokensSection, usersSection } from '../people/admin-section.ts';
import { slaSection } from '../sla/admin-section.ts';
import { statusesSection } from '../statuses/admin-section.ts';
import { wallTokensSection } from '../wall/admin-section.ts';
import { workflowsSection } from '../workflows/admin-section.ts';

/** The admin area's sections in menu order. */
export const adminSections: readonly AdminSectionDefinition[] = [
  workflowsSection,
  templatesSection,
  statusesSection,
  usersSection,
  rolesSection,
  orgSection,
  teamsSection,
  tokensSection,
  wallTokensSection,
  calendarsSection,
  slaSection,
  auditSection,
];

export const adminSectionsFor = (access: Access): AdminSectionDefinition[] =>
  adminSections.filter((s) => access.can(s.permission));
