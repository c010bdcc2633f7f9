import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow } from './columns.ts';
import { TICKET_AUTHOR_ROLES } from '../../domain/support.ts';
import { SupportTicket } from './SupportTicket.ts';

/**
 * One message of a ticket's thread, from the creator or from support. An attachment is an
 * uploaded file (an `input` asset, deleted 30 days after upload: R-IN-30D); the message
 * keeps its id. A support reply is emailed once (`emailedAt`).
 */
export const SupportMessage = defineEntity({
  name: 'SupportMessage',
  tableName: 'support_messages',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    ticket: () => p.manyToOne(SupportTicket).mapToPk().deleteRule('cascade').index(),
    /** The writer's account; null once a staff account is gone. */
    authorId: p.uuid().nullable(),
    authorRole: p.enum(TICKET_AUTHOR_ROLES),
    body: p.text(),
    attachmentAssetId: p.uuid().nullable(),
    createdAt: createdNow(),
    emailedAt: p.datetime().nullable(),
  },
});
export type SupportMessage = InferEntity<typeof SupportMessage>;
