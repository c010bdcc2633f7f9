// My invoices past their newest page (D-SUBSCRIPTION): newest first, a page at a time,
// each with Stripe's own page; kept 7 years (R-PAY-7Y).
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const invoices = await serverApi(event).billing.invoices(cursor);
  return {
    invoices: invoices.ok ? invoices.data.invoices : [],
    nextCursor: invoices.ok ? invoices.data.nextCursor : null,
    older: Boolean(cursor),
    loadError: invoices.ok ? null : friendlyMessage(invoices.problem),
  };
};
