// Operators' lookup: a job or a stored file by id, with the link straight into its
// workflow's history in the Temporal Web UI (the API audits every lookup); and an
// end-to-end diagnostic run on demand.
import { error, redirect } from '@sveltejs/kit';
import type { ApiResult } from '#lib/api/client.ts';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction } from '#lib/server/forms.ts';
import type { Actions, PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The record, or words for why there is none. */
function found<T>(result: ApiResult<T>, missing: string): { data: T | null; problem?: string } {
  if (result.ok) return { data: result.data };
  return { data: null, problem: result.problem.status === 404 ? missing : friendlyMessage(result.problem) };
}

export const load: PageServerLoad = async (event) => {
  const { staff, needsMfa } = await event.parent();
  const nothing = { kind: 'job' as const, id: '', job: null, asset: null, problem: undefined };
  if (needsMfa) return { ...nothing, diagnostic: null };
  if (staff.role !== 'operator' && staff.role !== 'admin') error(403, 'Operations are for operators.');
  const q = event.url.searchParams;
  const api = serverApi(event);
  const asked = q.get('diagnostic') ?? '';
  const run = UUID.test(asked) ? await api.diagnostic.get(asked) : null;
  const empty = { ...nothing, diagnostic: run?.ok ? run.data : null };
  const kind = q.get('kind') === 'asset' ? ('asset' as const) : ('job' as const);
  const id = (q.get('id') ?? '').trim();
  if (!id) return { ...empty, kind };
  if (!UUID.test(id)) {
    return { ...empty, kind, id, problem: 'That is not an id: ids look like 0b7f…-…, 36 characters.' };
  }
  if (kind === 'job') {
    const { data, problem } = found(await api.generation.opsJob(id), 'No job has that id.');
    return { ...empty, kind, id, job: data, problem };
  }
  const { data, problem } = found(await api.retention.opsAsset(id), 'No stored file has that id.');
  return { ...empty, kind, id, asset: data, problem };
};

export const actions: Actions = {
  diagnose: formAction(async ({ api, csrf }) => {
    const result = await api.diagnostic.run(csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'diagnose' });
    redirect(303, `/staff/ops?diagnostic=${result.data.id}`);
  }),
};
