// Breach incidents (S-BREACH) for the legal team, newest first a page at a time: each
// with the authority's 72-hour clock, the affected people found and the notices sent (the
// incident-<id> workflow does both); recording one, and recording the authority's
// notification. Audited by the API.
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, invalid, raw, text } from '#lib/server/forms.ts';
import { formatDateTime } from '#lib/time.ts';
import { INCIDENT_CATEGORIES, type IncidentCategory } from '../../../../../../../domain/incident.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { needsMfa } = await event.parent();
  if (needsMfa) return { incidents: [], nextCursor: null, older: false, listError: null };
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const result = await serverApi(event).incident.list({ cursor });
  return {
    incidents: result.ok ? result.data.incidents : [],
    nextCursor: result.ok ? result.data.nextCursor : null,
    /** An older page: it links back to the newest. */
    older: Boolean(cursor),
    listError: result.ok ? null : friendlyMessage(result.problem),
  };
};

/** A `datetime-local` value, read as UTC (the form says so). */
const utc = (value: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00Z` : value);

export const actions: Actions = {
  record: formAction(async ({ form, api, csrf }) => {
    const values = {
      title: text(form, 'title'),
      description: raw(form, 'description').trim(),
      measures: raw(form, 'measures').trim(),
      categories: form.getAll('categories').map(String).join(','),
      discoveredAt: text(form, 'discoveredAt'),
      windowStart: text(form, 'windowStart'),
      windowEnd: text(form, 'windowEnd'),
    };
    const categories = values.categories.split(',').filter(Boolean) as IncidentCategory[];
    if (!categories.length || categories.some((c) => !INCIDENT_CATEGORIES.includes(c))) {
      return invalid({ categories: 'Choose the data concerned.' }, values, { form: 'record' });
    }
    const body = {
      ...values,
      categories,
      discoveredAt: utc(values.discoveredAt),
      windowStart: utc(values.windowStart),
      windowEnd: utc(values.windowEnd),
    };
    const result = await api.incident.record(body, csrf);
    if (!result.ok) return failure(result.problem, values, { form: 'record' });
    return {
      form: 'record',
      saved: `Recorded. The affected people are found and emailed; notify the authority by ${formatDateTime(result.data.deadlineAt)}.`,
    };
  }),

  notified: formAction(async ({ form, api, csrf }) => {
    const incidentId = text(form, 'incidentId');
    const reference = text(form, 'reference');
    const which = `notified-${incidentId}`;
    if (!reference)
      return invalid({ reference: "Give the authority's reference." }, { reference }, { form: which });
    const result = await api.incident.authorityNotified(incidentId, { reference }, csrf);
    if (!result.ok) return failure(result.problem, { reference }, { form: which });
    return { form: which, saved: 'The notification is recorded.' };
  }),
};
