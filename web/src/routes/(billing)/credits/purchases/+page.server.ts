// My purchase history past its newest page (D-SUBSCRIPTION): every credit pack I paid
// for, newest first, a page at a time; kept 7 years (R-PAY-7Y).
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const payments = await serverApi(event).billing.payments(cursor);
  return {
    payments: payments.ok ? payments.data.payments : [],
    nextCursor: payments.ok ? payments.data.nextCursor : null,
    older: Boolean(cursor),
    loadError: payments.ok ? null : friendlyMessage(payments.problem),
  };
};
