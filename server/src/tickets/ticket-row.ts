import type { Channel, Priority, StatusCategory } from '@docket/core';

export type TicketRow = {
  id: string | number;
  number: string;
  template_id: number;
  template_version_id: number;
  title: string;
  description: string;
  status: StatusCategory;
  /** A named status within the category (ticket_status), or null. */
  status_name: string | null;
  priority: Priority;
  form_data: Record<string, unknown>;
  requester_id: number | null;
  creator_user_id: number | null;
  assignee_id: number | null;
  team_id: number | null;
  org_unit_id: number | null;
  org_path: string;
  channel: Channel;
  created_at: Date;
  updated_at: Date;
  solved_at: Date | null;
  closed_at: Date | null;
};

export const TICKET_COLUMNS = `id, number, template_id, template_version_id, title, description, status, status_name, priority,
  form_data, requester_id, creator_user_id, assignee_id, team_id, org_unit_id, org_path, channel,
  created_at, updated_at, solved_at, closed_at`;

export const ticketColumns = (alias: string): string =>
  TICKET_COLUMNS.split(',')
    .map((c) => `${alias}.${c.trim()}`)
    .join(', ');

export type TicketEventRow = {
  id: string | number;
  ticket_id: string | number;
  kind: string;
  actor_kind: 'user' | 'customer' | 'system';
  actor_id: number | null;
  via_token_id: number | null;
  channel: Channel;
  is_public: boolean;
  body: string | null;
  diff: Record<string, { from: unknown; to: unknown }> | null;
  created_at: Date;
};
