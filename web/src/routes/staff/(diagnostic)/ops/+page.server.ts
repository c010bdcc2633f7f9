// Operators' lookup: a job or a stored file by id, with the link straight into its
// workflow's history in the Temporal Web UI. The API audits every lookup.
import { error } from '@sveltejs/kit';
import type { ApiResult } from '#lib/api/client.ts';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The record, or words for why there is none. */
function found<T>(result: ApiResult<T>, missing: string): { data: T | null; problem?: string } {
  if (result.ok) return { data: result.data };
  return { data: null, problem: result.problem.status === 404 ? missing : friendlyMessage(result.problem) };
}

export const load: PageServerLoad = async (event) => {
  const { staff, needsMfa } = await event.parent();
  const empty = { kind: 'job' as const, id: '', job: null, asset: null, problem: undefined };
  if (needsMfa) return empty;
  if (staff.role !== 'operator' && staff.role !== 'admin') error(403, 'Operations are for operators.');
  const q = event.url.searchParams;
  const kind = q.get('kind') === 'asset' ? ('asset' as const) : ('job' as const);
  const id = (q.get('id') ?? '').trim();
  if (!id) return { ...empty, kind };
  if (!UUID.test(id)) {
    return { ...empty, kind, id, problem: 'That is not an id: ids look like 0b7f…-…, 36 characters.' };
  }
  const api = serverApi(event);
  if (kind === 'job') {
    const { data, problem } = found(await api.generation.opsJob(id), 'No job has that id.');
    return { ...empty, kind, id, job: data, problem };
  }
  const { data, problem } = found(await api.retention.opsAsset(id), 'No stored file has that id.');
  return { ...empty, kind, id, asset: data, problem };
};
