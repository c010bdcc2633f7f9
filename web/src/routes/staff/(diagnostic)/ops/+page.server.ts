// Operators' lookup: a job or a stored file by id, with the link straight into its
// workflow's history in the Temporal Web UI. The API audits every lookup.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import type { PageServerLoad } from './$types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const job = await api.generation.opsJob(id);
    return {
      ...empty,
      kind,
      id,
      job: job.ok ? job.data : null,
      problem: job.ok
        ? undefined
        : job.problem.status === 404
          ? 'No job has that id.'
          : friendlyMessage(job.problem),
    };
  }
  const asset = await api.retention.opsAsset(id);
  return {
    ...empty,
    kind,
    id,
    asset: asset.ok ? asset.data : null,
    problem: asset.ok
      ? undefined
      : asset.problem.status === 404
        ? 'No stored file has that id.'
        : friendlyMessage(asset.problem),
  };
};
