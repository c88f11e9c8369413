import { builder } from './builder.ts';
import './enums.ts';
import '../users/users.schema.ts';
import '../users/invitations.schema.ts';
import '../org/org.schema.ts';
import '../templates/templates.schema.ts';
import '../tickets/tickets.schema.ts';
import '../tickets/ticket-statuses.schema.ts';
import '../workflows/workflows.schema.ts';
import '../workflows/workflow-stats.schema.ts';
import '../notifications/notifications.schema.ts';
import '../sla/sla.schema.ts';
import '../plugins/plugins.schema.ts';
import '../desk/desk.schema.ts';
import '../portal/portal.schema.ts';
import '../audit/audit.schema.ts';
import '../channels/channels.schema.ts';
import '../files/files.schema.ts';
import '../csat/csat.schema.ts';
import '../knowledge/knowledge.schema.ts';
import '../reports/reports.schema.ts';
import '../wall/wall.schema.ts';

/** The whole GraphQL schema: one module per domain adds its types and fields to the builder. */
export const schema = builder.toSchema({ sortSchema: true });
