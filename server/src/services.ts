import type { Database, JobBus, SecretBox } from '@docket/db';
import type { Clock } from '@docket/engine';
import type { LoginThrottle } from './auth/login-throttle.ts';
import type { Principals } from './auth/principals.ts';
import type { SessionTokens } from './auth/session-tokens.ts';
import type { Config } from './config.ts';
import type { CsatService } from './csat/csat-service.ts';
import type { Registries } from './extensions/registries.ts';
import type { Notifier } from './notifications/notifier.ts';
import type { OrgPaths } from './org/org-paths.ts';
import type { PluginService } from './plugins/plugin-service.ts';
import type { FollowLinks, RateLimiter } from './portal/follow-links.ts';
import type { SlaService } from './sla/sla-service.ts';
import type { TemplateCatalog } from './templates/template-catalog.ts';
import type { TicketFeed } from './tickets/ticket-feed.ts';
import type { TicketStore } from './tickets/ticket-store.ts';
import type { InvitationTokens } from './users/invitation-tokens.ts';
import type { WallFeed } from './wall/wall-feed.ts';
import type { WorkflowRuntime } from './workflows/workflow-runtime.ts';

export type Log = (
  level: 'info' | 'warn' | 'error',
  message: string,
  extra?: Record<string, unknown>,
) => void;

/**
 * What request handlers (resolvers, routes) and job workers may use; built once by buildApp.
 * Domain code does not take this bag: each service takes the few things it needs.
 */
export type Services = {
  db: Database;
  config: Config;
  principals: Principals;
  sessions: SessionTokens;
  /** The extension points: node types, effects, channels, notification targets, SLA actions. */
  registries: Registries;
  templates: TemplateCatalog;
  /** Org paths of org units and teams, for decisions made before a ticket is written. */
  orgPaths: OrgPaths;
  /** Durable jobs (timers, outbound calls, deliveries) on the same database. */
  jobs: JobBus;
  /** Every change to a ticket goes through it. */
  tickets: TicketStore;
  /** Committed ticket creations and changes, for live lists. */
  feed: TicketFeed;
  /** Ticket changes passed on to the live walls (across servers through Redis when set). */
  wall: WallFeed;
  /** The customer portal: private follow links and the public forms' rate limit. */
  portal: { followLinks: FollowLinks; submissions: RateLimiter };
  notifier: Notifier;
  workflows: WorkflowRuntime;
  /** SLA clocks, policies and calendars. */
  sla: SlaService;
  /** Installed plugins: their sandbox, host services and registrations. */
  plugins: PluginService;
  /** Satisfaction ratings: asked when tickets are solved, given through signed links. */
  csat: CsatService;
  /** Seals and opens secrets kept at rest (plugin settings, workflow secrets). */
  secrets: SecretBox;
  /** Signs and checks the tokens of invitation links. */
  invitations: InvitationTokens;
  /** Counts failed logins per account and address. */
  loginThrottle: LoginThrottle;
  /** The time SLA clocks and urges run at (Date.now unless a test swaps it). */
  clock: Clock;
  log: Log;
};

/**
 * Whether the database connections share one session (the embedded database; or a pooler that
 * hands one session to many clients, DOCKET_PREPARED_STATEMENTS=off), where named prepared
 * statements would clash.
 */
export const sharedSession = (services: Pick<Services, 'db' | 'config'>): boolean =>
  services.db.isEmbedded || !services.config.preparedStatements;
