import type { Database, JobBus, WriteBatcher } from '@docket/db';
import type { Clock } from '@docket/engine';
import type { Principals } from './auth/principals.ts';
import type { SessionTokens } from './auth/session-tokens.ts';
import type { Config } from './config.ts';
import type { OrgPaths } from './org/org-paths.ts';
import type { SlaService } from './sla/sla-service.ts';
import type { TemplateCatalog } from './templates/template-catalog.ts';
import type { NewTicket } from './tickets/ticket-insert.ts';
import type { TicketRow } from './tickets/ticket-row.ts';
import type { WorkflowRuntime } from './workflows/workflow-runtime.ts';

/** What every request handler may use; built once by buildApp. */
export type Services = {
  db: Database;
  config: Config;
  principals: Principals;
  sessions: SessionTokens;
  templates: TemplateCatalog;
  /** Org paths of org units and teams, for decisions made before a ticket is written. */
  orgPaths: OrgPaths;
  /** Durable jobs (timers, outbound calls) on the same database. */
  jobs: JobBus;
  workflows: WorkflowRuntime;
  /** New tickets written outside a transaction: concurrent ones share one statement. */
  ticketWrites: WriteBatcher<NewTicket, TicketRow>;
  /** SLA clocks, policies and calendars. */
  sla: SlaService;
  /** The time SLA clocks and urges run at (Date.now unless a test swaps it). */
  clock: Clock;
  log: (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;
};

/**
 * Whether the database connections share one session (the embedded database; or a pooler that
 * hands one session to many clients, DOCKET_PREPARED_STATEMENTS=off), where named prepared
 * statements would clash.
 */
export const sharedSession = (services: Pick<Services, 'db' | 'config'>): boolean =>
  services.db.isEmbedded || !services.config.preparedStatements;
