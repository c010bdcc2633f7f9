// The support queue (R-SUPPORT-3Y): tickets by filter (open: waiting for us; answered;
// closed; mine; unassigned) with their counts, a page at a time, those waiting longest
// first (closed ones the latest first). Support staff only; the API checks the same and
// audits every look at a ticket.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { QUEUE_FILTERS, type QueueFilter } from '../../../../../../domain/support.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { staff, needsMfa } = await event.parent();
  const asked = event.url.searchParams.get('filter') ?? 'open';
  const filter: QueueFilter = (QUEUE_FILTERS as readonly string[]).includes(asked)
    ? (asked as QueueFilter)
    : 'open';
  if (needsMfa)
    return { filter, tickets: [], counts: null, nextCursor: null, later: false, queueError: null };
  if (staff.role !== 'support' && staff.role !== 'admin')
    error(403, 'The support queue is for support staff.');
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const result = await serverApi(event).support.queue(filter, cursor);
  return {
    filter,
    tickets: result.ok ? result.data.tickets : [],
    counts: result.ok ? result.data.counts : null,
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** A later page of the queue: it links back to the first. */
    later: Boolean(cursor),
    queueError: result.ok ? null : friendlyMessage(result.problem),
  };
};
