// Support tickets (R-SUPPORT-3Y): what a ticket may hold, the statuses it goes through,
// and the numbers of its housekeeping. A ticket is kept 3 years after it is closed (the
// policy table's `supportTicket` row), then deleted by a daily sweep. Pure: the site and
// the workflows import it too.
import { DAY } from './time.ts';

export const TICKET_STATUSES = [
  /** Waiting for support: new, or the creator wrote last. */
  'open',
  /** Support replied; waiting for the creator. */
  'answered',
  'closed',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_AUTHOR_ROLES = ['creator', 'support'] as const;
export type TicketAuthorRole = (typeof TICKET_AUTHOR_ROLES)[number];

export const TICKET_SUBJECT_MAX_LENGTH = 200;
export const TICKET_MESSAGE_MAX_LENGTH = 10_000;
/** Tickets and queue entries per page. */
export const TICKET_PAGE_SIZE = 50;

/**
 * A ticket support answered and the creator left alone this long is closed by the sweep,
 * so every ticket reaches the close its 3 years count from.
 */
export const TICKET_IDLE_CLOSE_MS = 30 * DAY;
/** How often the support sweep runs (closes idle tickets, deletes those past 3 years). */
export const SUPPORT_SWEEP_INTERVAL_MS = DAY;
/** Tickets deleted per transaction by the sweep. */
export const SUPPORT_SWEEP_BATCH_SIZE = 500;

/** Stable ids, so an operator finds each schedule in the Web UI. */
export const SUPPORT_SCHEDULE_IDS = { ticketSweep: 'support-sweep-tickets' } as const;

/** Queue filters for support staff. */
export const QUEUE_FILTERS = ['open', 'answered', 'closed', 'mine', 'unassigned'] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];
