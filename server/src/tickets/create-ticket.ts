import {
  type Channel,
  type FieldError,
  fieldError,
  formText,
  isChannel,
  numberAround,
  type Principal,
  type Priority,
  type StatusCategory,
  ValidationFailed,
  validateFormData,
} from '@docket/core';
import { type EntityManager, queryOne, queryPrepared } from '@docket/db';
import { requireCreateTicket } from '../access/policy.ts';
import { NotFoundError } from '../errors.ts';
import type { OrgPlace } from '../org/org-paths.ts';
import { type Services, sharedSession } from '../services.ts';
import { slaEventsOf } from '../sla/sla-hooks.ts';
import type { SlaStart } from '../sla/sla-service.ts';
import { ticketNumberSequence } from '../templates/template-catalog.ts';
import {
  type Cause,
  foldTicketEffect,
  type InstanceRow,
  type PinnedTemplate,
  patchDiff,
  type StartShape,
  type WorkflowAuditRow,
  type WorkflowStartPlan,
} from '../workflows/workflow-runtime.ts';
import { actorOf } from './ticket-events.ts';
import { insertTickets, type NewTicket } from './ticket-insert.ts';
import { TICKET_COLUMNS, type TicketRow } from './ticket-row.ts';
import { keepStoredStatusName } from './ticket-statuses.ts';

export type CreateTicketInput = {
  templateKey?: string | null;
  templateId?: number | null;
  title: string;
  description?: string | null;
  formData?: unknown;
  priority?: Priority | null;
  channel?: Channel | null;
  /** An existing customer; or `requester` to find one by email or phone, creating it when new. */
  requesterId?: number | null;
  requester?: { name?: string | null; email?: string | null; phone?: string | null } | null;
  orgUnitId?: number | null;
  teamId?: number | null;
  assigneeId?: number | null;
};

const MAX_TITLE = 200;
const MAX_DESCRIPTION = 20_000;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Foreign keys a create can break: the input field each one names, and what it names. */
const FK_FIELDS: Record<string, { path: keyof CreateTicketInput; what: string }> = {
  ticket_org_unit_id_fkey: { path: 'orgUnitId', what: 'Org unit' },
  ticket_team_id_fkey: { path: 'teamId', what: 'Team' },
  ticket_assignee_id_fkey: { path: 'assigneeId', what: 'User' },
  ticket_requester_id_fkey: { path: 'requesterId', what: 'Customer' },
};

/**
 * Creates a ticket from the newest published version of a template. The form data is checked
 * against that version's JSON Schema first; on any error nothing is written. The ticket, its first
 * audit event, its SLA clocks and its workflow's first steps are written together: in one
 * statement when nothing else is due, else in one transaction.
 */
export async function createTicket(
  services: Services,
  em: EntityManager,
  principal: Principal | null,
  channelOfRequest: Channel,
  input: CreateTicketInput,
): Promise<TicketRow> {
  const p = requireCreateTicket(principal, input);

  if (input.templateId == null && !input.templateKey)
    throw new ValidationFailed([
      fieldError('/templateKey', 'required', 'Name the template by templateKey or templateId.'),
    ]);
  const template = await services.templates.latestPublished(
    em,
    input.templateId != null ? { id: input.templateId } : { key: input.templateKey! },
  );
  if (!template)
    throw new NotFoundError(
      `A published template "${input.templateKey ?? input.templateId}"`,
      input.templateId != null ? '/templateId' : '/templateKey',
    );

  const errors: FieldError[] = [];
  const title = (input.title ?? '').trim();
  if (!title) errors.push(fieldError('/title', 'required', 'A ticket needs a title.'));
  else if (title.length > MAX_TITLE)
    errors.push(
      fieldError('/title', 'too_long', `The title has ${title.length} characters; at most ${MAX_TITLE}.`),
    );
  const description = input.description ?? '';
  if (description.length > MAX_DESCRIPTION)
    errors.push(
      fieldError(
        '/description',
        'too_long',
        `The description may have at most ${MAX_DESCRIPTION} characters.`,
      ),
    );
  const formData = input.formData ?? {};
  errors.push(...validateFormData(template.content.formSchema, formData, '/formData'));
  const channel = input.channel ?? channelOfRequest;
  if (!isChannel(channel) || channel === 'system')
    errors.push(fieldError('/channel', 'invalid', `"${channel}" is not a channel a ticket can come from.`));

  let requesterId: number | null = null;
  if (p.kind === 'customer') {
    if (input.requesterId != null || input.requester || input.assigneeId != null || input.teamId != null)
      errors.push(
        fieldError(
          '/requesterId',
          'not_allowed',
          'Customers create tickets for themselves and cannot route them.',
        ),
      );
    requesterId = p.customerId;
  } else if (input.requesterId != null) requesterId = input.requesterId;
  else if (input.requester) {
    const r = input.requester;
    if (r.email && !EMAIL_RE.test(r.email))
      errors.push(fieldError('/requester/email', 'invalid', `"${r.email}" is not an email address.`));
    if (!r.email && !r.phone)
      errors.push(fieldError('/requester', 'required', 'Give the requester an email or a phone number.'));
  }
  if (errors.length) throw new ValidationFailed(errors, 'The ticket was not created: fix the fields listed.');

  const priority = input.priority ?? template.content.defaultPriority;
  const teamId = input.teamId ?? null;
  const orgUnitId = input.orgUnitId ?? null;
  const workflowVersionId = template.workflowVersionId;

  /** Where the ticket lands (its org unit, or its team's), as prepare found it. */
  let place: OrgPlace = { orgUnitId: null, path: '/' };
  /** Reads (and a new requester's customer row) the write depends on; then the SLA clocks it starts. */
  const prepare = async (db: EntityManager): Promise<SlaStart> => {
    if (requesterId === null && input.requester)
      requesterId = await findOrCreateCustomer(db, input.requester);
    // A requester named by id is checked here, before a shared statement could fail on it.
    if (
      p.kind === 'user' &&
      input.requesterId != null &&
      !(await queryOne(db, 'select 1 from customer where id = ?::int', [input.requesterId]))
    )
      throw new ValidationFailed([
        fieldError('/requesterId', 'not_found', `Customer ${input.requesterId} does not exist.`),
      ]);
    if (
      input.assigneeId != null &&
      !(await queryOne(db, 'select 1 from app_user where id = ? and is_active', [input.assigneeId]))
    )
      throw new ValidationFailed([
        fieldError('/assigneeId', 'not_found', `User ${input.assigneeId} does not exist or is deactivated.`),
      ]);
    place = await services.orgPaths.of(db, { orgUnitId, teamId });
    return services.sla.planStart(db, {
      requesterId,
      row: {
        priority,
        status: 'new',
        channel,
        org_path: place.path,
        form_data: formData as Record<string, unknown>,
        template_key: template.key,
        category_path: template.content.categoryPath,
      },
    });
  };

  const cause: Cause = { userId: p.kind === 'user' ? p.userId : null, channel: channelOfRequest };
  const pinned: PinnedTemplate = {
    templateVersionId: template.versionId,
    templateKey: template.key,
    content: template.content,
  };

  /**
   * One statement: the ticket, its audit trail (created; the SLA clocks started; what its workflow
   * did, with the clock changes that caused) and its clocks; with a folded workflow run, its
   * final fields and its instance too. Without `drawn`, the database numbers the ticket.
   */
  const insert = async (
    db: EntityManager,
    sla: SlaStart,
    drawn?: Drawn,
    run?: FoldedRun,
  ): Promise<TicketRow> => {
    const { prefix, width, suffix } = numberAround(
      template.numberPattern,
      drawn?.now ?? new Date(),
      services.config.timeZone,
    );
    const actor = actorOf(p);
    const created = {
      template: { from: null, to: `${template.key}@${template.version}` },
      status: { from: null, to: 'new' },
      priority: { from: null, to: priority },
      ...(input.assigneeId != null ? { assigneeId: { from: null, to: input.assigneeId } } : {}),
      ...(teamId !== null ? { teamId: { from: null, to: teamId } } : {}),
      ...(orgUnitId !== null ? { orgUnitId: { from: null, to: orgUnitId } } : {}),
    };
    const system = {
      actor_kind: 'system',
      actor_id: null,
      via_token_id: null,
      channel: 'system',
      is_public: false,
    };
    const slaRows = sla.audit.map((a) => ({ ...a, ...system }));
    const events = [
      {
        kind: 'created',
        actor_kind: actor.kind,
        actor_id: actor.id,
        via_token_id: actor.viaTokenId,
        channel: channelOfRequest,
        is_public: true,
        body: null,
        diff: created,
      },
      ...slaRows.slice(0, sla.startAuditCount),
      ...(run?.audit ?? []).map((a) => ({
        ...a,
        actor_kind: cause.userId === null ? 'system' : 'user',
        actor_id: cause.userId,
        via_token_id: null,
        channel: cause.channel,
      })),
      ...slaRows.slice(sla.startAuditCount),
    ];
    const final = { status: 'new', priority, title, description, ...run?.patch } as Record<string, unknown>;
    const ticket: NewTicket = {
      ...(drawn ? { id: drawn.id, seq: drawn.seq, at: drawn.now.toISOString() } : {}),
      sequence: ticketNumberSequence(template.templateId),
      prefix,
      width,
      suffix,
      template_id: template.templateId,
      template_version_id: template.versionId,
      title: final.title as string,
      description: final.description as string,
      status: final.status as string,
      status_name: (final.status_name as string | null | undefined) ?? null,
      priority: final.priority as string,
      form_data: formData,
      form_text: formText(formData),
      custom_fields: run?.custom ?? {},
      participant_ids: run?.participantIds ?? [],
      requester_id: requesterId,
      creator_user_id: p.kind === 'user' ? p.userId : null,
      assignee_id: input.assigneeId ?? null,
      team_id: teamId,
      org_unit_id: orgUnitId,
      channel,
      events,
      policy_id: sla.policyId,
      sla_state: sla.state,
      ...(run ? { instance: run.instance } : {}),
    };
    // Outside a transaction, concurrent creations share one statement (services.ticketWrites).
    if (!db.isInTransaction()) return services.ticketWrites.submit(ticket);
    const [row] = await insertTickets(db, [ticket], sharedSession(services));
    return row!;
  };

  const reread = async (tx: EntityManager, id: TicketRow['id']) =>
    (await queryOne<TicketRow>(tx, `select ${TICKET_COLUMNS} from ticket where id = ?`, [id]))!;

  // Everything the ticket's creation causes commits with it or not at all: actions its SLA runs at
  // once, its timer jobs, its workflow instance and what the workflow's first steps do (tasks,
  // field changes, jobs).
  const insertAndStart = async (
    tx: EntityManager,
    sla: SlaStart,
    drawn?: Drawn,
    plan?: WorkflowStartPlan,
  ): Promise<TicketRow> => {
    let row = await insert(tx, sla, drawn);
    if (await services.sla.completeStart(tx, row.id, sla)) row = await reread(tx, row.id);
    if (workflowVersionId === null) return row;
    await services.workflows.startForTicket(
      tx,
      row,
      plan ?? (await services.workflows.planStart(tx, row, workflowVersionId, pinned)),
      cause,
    );
    return reread(tx, row.id);
  };

  /**
   * A workflow that only ever changes its own ticket (start, conditions, set fields, end) runs to
   * its end before the ticket is written, on a draft of the ticket; the ticket is then written as
   * the run leaves it, with its instance, in the same statement. When the workflow reads the
   * ticket's id, number or creation time, those are drawn first (one read); otherwise the
   * statement fills them into the instance's state. Anything else (human steps, timers, calls)
   * starts after the insert.
   */
  const createWithSelfContainedRun = async (
    sla: SlaStart,
    wvId: number,
    shape: StartShape,
  ): Promise<TicketRow> => {
    let drawn: Drawn | undefined;
    if (shape.readsTicketIdentity) {
      const [got] = await queryPrepared<{ id: string; seq: string; now: Date | string }>(
        em,
        {
          name: 'docket_draw_ticket',
          sql: `select nextval('ticket_id_seq'::regclass)::text as id, nextval(?::regclass)::text as seq, now() as now`,
          isShared: sharedSession(services),
        },
        [ticketNumberSequence(template.templateId)],
      );
      if (!got) throw new Error('Drawing a ticket id returned nothing.');
      drawn = { ...got, now: new Date(got.now) };
    }
    const at = drawn?.now ?? new Date();
    const { prefix, width, suffix } = numberAround(template.numberPattern, at, services.config.timeZone);
    // Without a draw, id, number and creation time are placeholders no expression reads.
    const draft: TicketRow = {
      id: drawn?.id ?? '0',
      number: drawn ? `${prefix}${drawn.seq.padStart(width, '0')}${suffix}` : '',
      template_id: template.templateId,
      template_version_id: template.versionId,
      title,
      description,
      status: 'new',
      status_name: null,
      priority,
      form_data: formData as Record<string, unknown>,
      requester_id: requesterId,
      creator_user_id: cause.userId,
      assignee_id: input.assigneeId ?? null,
      team_id: teamId,
      org_unit_id: place.orgUnitId,
      org_path: place.path,
      channel,
      created_at: at,
      updated_at: at,
      solved_at: null,
      closed_at: null,
    };
    const plan = await services.workflows.planStart(em, draft, wvId, pinned);
    if (!plan.isSelfContained)
      return em.transactional((tx) => insertAndStart(tx, sla, drawn, drawn ? plan : undefined));
    const run = foldRun(plan, cause);
    await keepStoredStatusName(em, run.patch);
    const diff = patchDiff(draft as unknown as Record<string, unknown>, run.patch, run.custom);
    if (Object.keys(diff).length > 0) {
      run.audit.push({ kind: 'updated', diff, body: null, is_public: false });
      services.sla.planChanges(sla, slaEventsOf(diff), {
        ...(run.patch.status ? { status: run.patch.status as StatusCategory } : {}),
        ...(run.patch.priority ? { priority: run.patch.priority as Priority } : {}),
      });
    }
    if (sla.isSelfContained) return insert(em, sla, drawn, run);
    return em.transactional(async (tx) => {
      const row = await insert(tx, sla, drawn, run);
      return (await services.sla.completeStart(tx, row.id, sla)) ? reread(tx, row.id) : row;
    });
  };

  const create = async (): Promise<TicketRow> => {
    // A requester given by email or phone may need a customer row: that write joins the transaction.
    if (requesterId === null && input.requester)
      return em.transactional(async (tx) => insertAndStart(tx, await prepare(tx)));
    const sla = await prepare(em);
    if (workflowVersionId === null)
      // Nothing beyond the rows themselves: one autocommit statement.
      return sla.isSelfContained ? insert(em, sla) : em.transactional((tx) => insertAndStart(tx, sla));
    // SLA actions due at once run before the workflow starts (they may change what it reads):
    // such a creation takes the stored path.
    const shape = await services.workflows.startShape(em, workflowVersionId, template.versionId);
    if (!sla.hasActionsDueAtOnce && shape.isSelfContained)
      return createWithSelfContainedRun(sla, workflowVersionId, shape);
    return em.transactional((tx) => insertAndStart(tx, sla));
  };
  try {
    return await create();
  } catch (e) {
    const constraint = (e as { constraint?: string }).constraint;
    if (constraint === 'ticket_number_key')
      throw new ValidationFailed([
        fieldError(
          '/templateKey',
          'number_taken',
          `Template "${template.key}" numbered this ticket ${(e as { detail?: string }).detail?.match(/\(number\)=\(([^)]*)\)/)?.[1] ?? ''}, which another template already used: give its number pattern a prefix of its own.`,
        ),
      ]);
    const fk = constraint ? FK_FIELDS[constraint] : undefined;
    if (fk)
      throw new ValidationFailed([
        fieldError(`/${fk.path}`, 'not_found', `${fk.what} ${String(input[fk.path])} does not exist.`),
      ]);
    throw e;
  }
}

async function findOrCreateCustomer(
  tx: EntityManager,
  r: { name?: string | null; email?: string | null; phone?: string | null },
): Promise<number> {
  const found = await queryOne<{ id: number }>(
    tx,
    `select id from customer where (? and lower(email) = lower(?)) or (? and phone = ?) order by (lower(email) = lower(?)) desc limit 1`,
    [Boolean(r.email), r.email ?? '', Boolean(r.phone), r.phone ?? '', r.email ?? ''],
  );
  if (found) return found.id;
  const created = await queryOne<{ id: number }>(
    tx,
    'insert into customer (name, email, phone) values (?, ?, ?) returning id',
    [r.name?.trim() || r.email || r.phone || 'Customer', r.email ?? null, r.phone ?? null],
  );
  return created!.id;
}

/** A ticket's id, counter and creation time, drawn before it is written. */
type Drawn = { id: string; seq: string; now: Date };

/** A workflow run folded into the ticket it creates: final fields, audit entries, its instance. */
type FoldedRun = {
  patch: Record<string, unknown>;
  custom: Record<string, unknown>;
  participantIds: number[];
  audit: WorkflowAuditRow[];
  instance: InstanceRow;
};

function foldRun(plan: WorkflowStartPlan, cause: Cause): FoldedRun {
  const run: FoldedRun = {
    patch: {},
    custom: {},
    // Whoever caused the run takes part in the ticket, as with every workflow event that does something.
    participantIds: plan.effects.length > 0 && cause.userId !== null ? [cause.userId] : [],
    audit: [],
    instance: plan.instance,
  };
  const audit = {
    add: (kind: string, diff: unknown, body: string | null, isPublic = false) =>
      run.audit.push({ kind, diff, body, is_public: isPublic }),
  };
  for (const e of plan.effects) foldTicketEffect(e, { patch: run.patch, custom: run.custom, audit });
  return run;
}
