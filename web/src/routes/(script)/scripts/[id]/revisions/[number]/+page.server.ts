// One version of a project: its scenes as they were, the files it made (to play and
// download), and what changed from the version before it.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { toSignIn } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { scriptApi } from '#lib/script/api.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const scripts = scriptApi(api);
  const number = Number(event.params.number);
  if (!Number.isInteger(number) || number < 1) error(404, 'No such version.');
  const [project, revision] = await Promise.all([
    scripts.project(event.params.id),
    scripts.revision(event.params.id, number),
  ]);
  if (!project.ok || !revision.ok) {
    const problem = !project.ok ? project.problem : !revision.ok ? revision.problem : null;
    if (problem?.status === 401) toSignIn(event.url);
    if (!problem || problem.status === 404 || problem.status === 400) error(404, 'No such version.');
    error(problem.status >= 400 ? problem.status : 503, friendlyMessage(problem));
  }
  const from = Number(event.url.searchParams.get('compare') ?? number - 1);
  const [comparison, link] = await Promise.all([
    from >= 1 && from !== number ? scripts.compare(event.params.id, from, number) : null,
    revision.data.video?.status === 'stored' ? api.retention.downloadLink(revision.data.video.assetId) : null,
  ]);
  return {
    project: project.data,
    revision: revision.data,
    comparison: comparison?.ok ? comparison.data : null,
    videoUrl: link?.ok ? link.data.url : null,
  };
};
