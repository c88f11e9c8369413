import type { AdminSectionDefinition } from '../../app/define-area.ts';
import type { Access } from '../../session/access.ts';
import { templatesSection } from '../forms/admin-section.ts';
import { workflowsSection } from '../workflows/admin-section.ts';

/** The admin area's sections in menu order. Later: users, roles, org, teams, calendars, SLA, audit. */
export const adminSections: readonly AdminSectionDefinition[] = [workflowsSection, templatesSection];

export const adminSectionsFor = (access: Access): AdminSectionDefinition[] =>
  adminSections.filter((s) => access.can(s.permission));
