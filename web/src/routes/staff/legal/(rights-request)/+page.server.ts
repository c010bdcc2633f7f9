// The legal team's list of rights requests (D-CLOCK): fewest days left first, as the API
// sorts them, a page at a time, with type, law, status and each workflow's progress;
// filters by status and type in the address, so a view can be bookmarked and works
// without JavaScript.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { LEGAL_STATUS_FILTERS } from '#lib/rights-request/words.ts';
import { REQUEST_TYPES } from '../../../../../../domain/rights-request.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  const askedStatus = event.url.searchParams.get('status') ?? 'open';
  const askedType = event.url.searchParams.get('type') ?? '';
  const status = LEGAL_STATUS_FILTERS.find((s) => s === askedStatus) ?? 'open';
  const type = REQUEST_TYPES.find((t) => t === askedType) ?? '';
  if (needsMfa) {
    return {
      requests: [],
      nextCursor: null,
      counts: null,
      later: false,
      listError: null,
      status,
      type,
      now: Date.now(),
    };
  }
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const result = await serverApi(event).rightsRequest.legalRequests({
    status,
    type: type || undefined,
    cursor,
  });
  return {
    requests: result.ok ? result.data.requests : [],
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** Overdue and due soon among all the filter matches. */
    counts: result.ok ? result.data.counts : null,
    /** A later page (more days left): it links back to the first. */
    later: Boolean(cursor),
    listError: result.ok ? null : friendlyMessage(result.problem),
    status,
    type,
    now: Date.now(),
  };
};
