// My jobs, newest first, filtered by status or model, a page at a time. The filters are a
// plain GET form, so the address says what is shown and works without JavaScript.
import { serverApi } from '#lib/server/api.ts';
import { requireUser } from '#lib/server/guards.ts';
import { JOB_PAGE_SIZE, JOB_STATUSES, type JobStatus } from '../../../../../domain/generation.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event).generation;
  const q = event.url.searchParams;
  const asked = q.get('status') ?? '';
  const status = (JOB_STATUSES as readonly string[]).includes(asked) ? (asked as JobStatus) : '';
  const modelId = q.get('model') ?? '';
  const cursor = q.get('cursor') ?? '';
  // The cursors of the pages before this one, so "Newer" can go back a page.
  const trail = (q.get('trail') ?? '').split(',').filter(Boolean).slice(-50);
  const [jobs, models] = await Promise.all([
    api.jobs({
      status: status || undefined,
      modelId: modelId || undefined,
      cursor: cursor || undefined,
      limit: JOB_PAGE_SIZE,
    }),
    api.models(),
  ]);
  return {
    jobs: jobs.ok ? jobs.data.jobs : [],
    nextCursor: jobs.ok ? jobs.data.nextCursor : null,
    loadError: jobs.ok ? undefined : 'We could not load your jobs just now. Reload the page to try again.',
    filters: { status, model: modelId },
    cursor,
    trail,
    models: models.ok ? models.data.models.map((m) => ({ value: m.id, label: m.label })) : [],
  };
};
