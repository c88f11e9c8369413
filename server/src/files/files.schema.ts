import { requireStaff } from '../access/policy.ts';
import { builder, mutationErrors } from '../graphql/builder.ts';
import { TicketRef } from '../tickets/tickets.schema.ts';
import { UserRef } from '../users/user-refs.ts';
import { attachFiles } from './attach-files.ts';
import { filesOfTicket, type TicketFileRow } from './file-repository.ts';

/** Files on a ticket (its form's and those attached on the desk), and attaching more. */

const TicketFileRef = builder.objectRef<TicketFileRow>('TicketFile').implement({
  description: 'A file on a ticket; GET its url (the same session or token) for the bytes.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    contentType: t.exposeString('content_type'),
    size: t.int({ resolve: (f) => Number(f.size) }),
    url: t.string({ resolve: (f) => `/files/${encodeURIComponent(f.id)}` }),
    uploadedBy: t.field({
      type: UserRef,
      nullable: true,
      description: 'The staff member who uploaded it (null for a customer’s file).',
      resolve: (f, _a, ctx) => (f.uploaded_by_user ? ctx.loaders.user.load(f.uploaded_by_user) : null),
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (f) => f.created_at }),
  }),
});

builder.objectField(TicketRef, 'attachments', (t) =>
  t.field({
    type: [TicketFileRef],
    description:
      'Files on this ticket: those its form names and those attached on the desk (staff only), oldest first.',
    resolve: (ticket, _a, ctx) => {
      requireStaff(ctx.principal);
      return filesOfTicket(ctx.em, String(ticket.id));
    },
  }),
);

builder.mutationFields((t) => ({
  attachFiles: t.field({
    type: TicketRef,
    errors: mutationErrors,
    description:
      'Attaches files the caller uploaded (POST /files) to a ticket; each must be theirs and on no ticket yet. Needs ticket.update and the ticket in scope. One internal timeline entry names them.',
    args: {
      id: t.arg.id({ required: true }),
      fileIds: t.arg.stringList({ required: true, description: 'Ids of uploaded files (f_…).' }),
    },
    resolve: (_r, a, ctx) => attachFiles(ctx.services, ctx.em, ctx.principal, ctx.channel, a),
  }),
}));
