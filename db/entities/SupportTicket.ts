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
  // The support queue, read in its order from an index (use-cases/support-staff.ts): by
  // status (open, answered, closed), or among those not closed (mine, unassigned). Among
  // 1,000,000 tickets, 1,000 not closed, a page took 70 to 210 ms, scanned and sorted;
  // 0.1 to 0.6 ms from these (migration 20261207131809).
  indexes: [
    { name: 'support_tickets_queue_index', properties: ['status', 'lastMessageAt', 'id'] },
    {
      name: 'support_tickets_waiting_index',
      properties: ['lastMessageAt', 'id'],
      where: "status <> 'closed'",
    },
  ],
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
