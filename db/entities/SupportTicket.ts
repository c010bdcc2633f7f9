import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey, createdNow } from './columns.ts';
import { TICKET_STATUSES, TICKET_SUBJECT_MAX_LENGTH } from '../../domain/support.ts';
import { User } from './User.ts';

/**
 * A creator's support ticket (R-SUPPORT-3Y): kept 3 years after it is closed, then deleted
 * with its messages by the support sweep; erased with the account when it is deleted.
 */
export const SupportTicket = defineEntity({
  name: 'SupportTicket',
  tableName: 'support_tickets',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('cascade').index(),
    subject: p.string().length(TICKET_SUBJECT_MAX_LENGTH),
    status: p.enum(TICKET_STATUSES).default('open'),
    /** The support staff member who has it. */
    assignedTo: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    createdAt: createdNow(),
    /** When the last message was written. */
    lastMessageAt: p.datetime(),
    closedAt: p.datetime().nullable().index(),
    closedBy: p.uuid().nullable(),
  },
});
export type SupportTicket = InferEntity<typeof SupportTicket>;
