// One job: its state when the page is rendered (the page then follows it live), the chain
// of revisions it belongs to and, once the video exists, a short-lived link to play it.
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, toSignIn } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const id = event.params.id;
  const [job, revisions] = await Promise.all([api.generation.job(id), api.generation.revisions(id)]);
  if (!job.ok) {
    if (job.problem.status === 401) toSignIn(event.url);
    if (job.problem.status === 404 || job.problem.status === 400) error(404, 'No such job.');
    error(job.problem.status >= 400 ? job.problem.status : 503, friendlyMessage(job.problem));
  }
  const outputId = job.data.status === 'succeeded' ? job.data.output?.assetId : undefined;
  const [asset, link] = outputId
    ? await Promise.all([api.retention.asset(outputId), api.retention.downloadLink(outputId)])
    : [null, null];
  return {
    job: job.data,
    revisions: revisions.ok ? revisions.data.jobs : [],
    output: asset?.ok ? asset.data : null,
    videoUrl: link?.ok ? link.data.url : null,
  };
};

export const actions: Actions = {
  cancel: async (event) => {
    const form = await event.request.formData();
    const result = await serverApi(event).generation.cancelJob(event.params.id, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'cancel' });
    return { form: 'cancel', job: result.data };
  },

  /** R-IN-EARLY: the video is deleted now rather than at its timer. */
  deleteOutput: async (event) => {
    const form = await event.request.formData();
    const api = serverApi(event);
    const job = await api.generation.job(event.params.id);
    if (!job.ok) return failure(job.problem, {}, { form: 'delete' });
    if (!job.data.output) {
      return failure(
        { status: 409, code: 'no_output', message: 'This job has no video to delete.', fields: {} },
        {},
        { form: 'delete' },
      );
    }
    const result = await api.retention.deleteAsset(job.data.output.assetId, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'delete' });
    return {
      form: 'delete',
      deleted: 'Your video is being deleted now. It can no longer be played or downloaded.',
    };
  },
};
