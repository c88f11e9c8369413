import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Customer, User } from './access.ts';
import { InboundMessage } from './channels.ts';
import { indexDefinition } from './index-definition.ts';
import { Ticket } from './tickets.ts';

/**
 * Files people attached to ticket forms. The bytes live on disk (under DATA_DIR/files, or
 * DOCKET_FILES_DIR); the row says what the file is, who uploaded it and, once a ticket's form
 * names it, which ticket it belongs to (who may download it follows from that ticket).
 */
export const StoredFile = defineEntity({
  name: 'StoredFile',
  tableName: 'file',
  properties: {
    /** Random and unguessable ("f_" and 32 hex digits); also the file's name on disk. */
    id: p.text().primary(),
    /** The name it had on the uploader's machine. */
    name: p.text(),
    contentType: p.text(),
    size: p.bigint('number'),
    /** Hex sha256 of the bytes. */
    sha256: p.text(),
    uploadedByUser: () =>
      p
        .manyToOne(User)
        .ref()
        .nullable()
        .fieldName('uploaded_by_user')
        .deleteRule('set null')
        .updateRule('no action'),
    uploadedByCustomer: () =>
      p
        .manyToOne(Customer)
        .ref()
        .nullable()
        .fieldName('uploaded_by_customer')
        .deleteRule('set null')
        .updateRule('no action'),
    /** The ticket whose form names the file; null until one does. */
    ticket: () => p.manyToOne(Ticket).ref().nullable().deleteRule('no action').updateRule('no action'),
    /** The inbound mail it came with (an attachment), if any: it waits on no ticket until that mail's ticket or reply takes it. */
    inboundMessage: () =>
      p
        .manyToOne(InboundMessage)
        .ref()
        .nullable()
        .fieldName('inbound_message_id')
        .deleteRule('set null')
        .updateRule('no action')
        .index('file_inbound_message_idx'),
    createdAt: p.datetime().defaultRaw('now()'),
  },
  indexes: [
    indexDefinition(
      'CREATE INDEX file_ticket_idx ON public.file USING btree (ticket_id) WHERE (ticket_id IS NOT NULL)',
    ),
  ],
});
export type StoredFile = InferEntity<typeof StoredFile>;
