import { builder, mutationErrors } from '../graphql/builder.ts';
import { StatusCategoryEnum } from '../graphql/enums.ts';
import {
  createTicketStatus,
  listTicketStatuses,
  type TicketStatus,
  updateTicketStatus,
} from './ticket-statuses.ts';

export const TicketStatusRef = builder.objectRef<TicketStatus>('TicketStatus').implement({
  description:
    'A named status ("Waiting for parts") within a status category. Lists and SLA clocks go by the category; an SLA policy may pause its clocks in statuses it names.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    category: t.field({ type: StatusCategoryEnum, resolve: (s) => s.category }),
    position: t.exposeInt('position'),
    isActive: t.exposeBoolean('isActive'),
  }),
});

builder.queryFields((t) => ({
  ticketStatuses: t.field({
    type: [TicketStatusRef],
    description: 'The named statuses, in order; inactive ones only when asked.',
    args: { includeInactive: t.arg.boolean({ defaultValue: false }) },
    resolve: (_r, a, ctx) => listTicketStatuses(ctx.em, ctx.principal, a.includeInactive ?? false),
  }),
}));

builder.mutationFields((t) => ({
  createTicketStatus: t.field({
    type: TicketStatusRef,
    errors: mutationErrors,
    description: 'Needs template.manage. A name cannot change later.',
    args: {
      name: t.arg.string({ required: true }),
      category: t.arg({ type: StatusCategoryEnum, required: true }),
      position: t.arg.int(),
    },
    resolve: (_r, a, ctx) => createTicketStatus(ctx.em, ctx.principal, a),
  }),
  updateTicketStatus: t.field({
    type: TicketStatusRef,
    errors: mutationErrors,
    description:
      'Moves or (de)activates a status; tickets in a deactivated status keep it. Needs template.manage.',
    args: { id: t.arg.id({ required: true }), position: t.arg.int(), isActive: t.arg.boolean() },
    resolve: (_r, a, ctx) => updateTicketStatus(ctx.em, ctx.principal, a),
  }),
}));
