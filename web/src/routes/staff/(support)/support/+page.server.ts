// The support queue (R-SUPPORT-3Y): tickets by filter (open: waiting for us; answered;
// closed; mine; unassigned) with their counts, the latest activity first. Support staff
// only; the API checks the same and audits every look at a ticket.
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
  if (needsMfa) return { filter, tickets: [], counts: null, queueError: null };
  if (staff.role !== 'support' && staff.role !== 'admin')
    error(403, 'The support queue is for support staff.');
  const result = await serverApi(event).support.queue(filter);
  return {
    filter,
    tickets: result.ok ? result.data.tickets : [],
    counts: result.ok ? result.data.counts : null,
    queueError: result.ok ? null : friendlyMessage(result.problem),
  };
};
