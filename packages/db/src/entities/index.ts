import {
  ApiToken,
  AppSetting,
  Customer,
  LoginThrottle,
  OrgUnit,
  RevokedSession,
  Role,
  Team,
  TeamMember,
  User,
  UserInvitation,
  UserRole,
} from './access.ts';
import { AdminChange } from './audit.ts';
import { InboundAttachment, InboundMessage, NotificationPreference } from './channels.ts';
import { CsatPolicy, CsatRating } from './csat.ts';
import { StoredFile } from './files.ts';
import { DescriptionTemplate, KbArticle, KbArticleTicket, KbArticleVersion, Macro } from './knowledge.ts';
import { Notification } from './notifications.ts';
import {
  Plugin,
  PluginCall,
  PluginFollowUp,
  PluginKv,
  PluginLog,
  PluginThread,
  PluginVersion,
} from './plugins.ts';
import { ReportDirtyTicket, ReportTicketFact } from './reports.ts';
import { BusinessCalendar, SlaPolicy, TicketSla, TicketUrge } from './sla.ts';
import { TicketTemplate, TicketTemplateVersion } from './templates.ts';
import { Ticket, TicketEvent, TicketStatus } from './tickets.ts';
import { WallToken } from './wall.ts';
import { OutboundCall, WorkflowInstance, WorkflowTask } from './workflow-runs.ts';
import { Workflow, WorkflowSecret, WorkflowVersion } from './workflows.ts';

export * from './access.ts';
export * from './audit.ts';
export * from './channels.ts';
export * from './csat.ts';
export * from './files.ts';
export * from './knowledge.ts';
export * from './notifications.ts';
export * from './plugins.ts';
export * from './reports.ts';
export * from './sla.ts';
export * from './templates.ts';
export * from './tickets.ts';
export * from './wall.ts';
export * from './workflow-runs.ts';
export * from './workflows.ts';

/**
 * One entity per table of the public schema, each with its columns, types, defaults, keys, checks
 * and indexes as the migrations create them; tests/db/entities-match-tables.test.ts holds them to
 * it. Configuration (people, org, templates, calendars, policies, statuses) is read and written
 * through them; the hot paths (ticket inserts, step transactions, timer batches, lists) use
 * hand-tuned SQL in their domain's repository.
 */
export const entities = [
  AppSetting,
  OrgUnit,
  Role,
  User,
  UserRole,
  Team,
  TeamMember,
  ApiToken,
  UserInvitation,
  Customer,
  Workflow,
  WorkflowVersion,
  WorkflowSecret,
  LoginThrottle,
  RevokedSession,
  TicketTemplate,
  TicketTemplateVersion,
  TicketStatus,
  Ticket,
  TicketEvent,
  WorkflowInstance,
  WorkflowTask,
  OutboundCall,
  Notification,
  BusinessCalendar,
  SlaPolicy,
  TicketSla,
  TicketUrge,
  Plugin,
  PluginVersion,
  PluginKv,
  PluginLog,
  PluginCall,
  PluginThread,
  PluginFollowUp,
  StoredFile,
  AdminChange,
  InboundMessage,
  InboundAttachment,
  NotificationPreference,
  CsatPolicy,
  CsatRating,
  KbArticle,
  KbArticleVersion,
  KbArticleTicket,
  DescriptionTemplate,
  Macro,
  ReportTicketFact,
  ReportDirtyTicket,
  WallToken,
];

/**
 * Relations that only declare a foreign key for the schema comparison and generated migrations,
 * and that MikroORM cannot load: the server's ORM leaves them out (see ormOptions).
 */
export const CONSTRAINT_ONLY_RELATIONS: Readonly<Record<string, readonly string[]>> = {
  Ticket: ['namedStatus'],
};
