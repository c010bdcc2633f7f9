// One job: its state when the page is rendered (the page then follows it live), the chain
// of revisions it belongs to and, once the video exists, a short-lived link to play it.
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, toSignIn, type ActionContext } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { must } from '#lib/server/results.ts';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const id = event.params.id;
  const [found, revisions] = await Promise.all([api.generation.job(id), api.generation.revisions(id)]);
  if (!found.ok && found.problem.status === 401) toSignIn(event.url);
  const job = must(found, 'No such job.');
  const outputId = job.status === 'succeeded' ? job.output?.assetId : undefined;
  const [asset, link] = outputId
    ? await Promise.all([api.retention.asset(outputId), api.retention.downloadLink(outputId)])
    : [null, null];
  return {
    job,
    revisions: revisions.ok ? revisions.data.jobs : [],
    output: asset?.ok ? asset.data : null,
    videoUrl: link?.ok ? link.data.url : null,
  };
};

export const actions: Actions = {
  cancel: formAction(async ({ event, api, csrf }: ActionContext<RequestEvent>) => {
    const result = await api.generation.cancelJob(event.params.id, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'cancel' });
    return { form: 'cancel', job: result.data };
  }),

  /** R-IN-EARLY: the video is deleted now rather than at its timer; under a legal hold, when it ends. */
  deleteOutput: formAction(async ({ event, api, csrf }: ActionContext<RequestEvent>) => {
    const job = await api.generation.job(event.params.id);
    if (!job.ok) return failure(job.problem, {}, { form: 'delete' });
    if (!job.data.output) {
      const problem = {
        status: 409,
        code: 'no_output',
        message: 'This job has no video to delete.',
        fields: {},
      };
      return failure(problem, {}, { form: 'delete' });
    }
    const result = await api.retention.deleteAsset(job.data.output.assetId, csrf);
    if (!result.ok) return failure(result.problem, {}, { form: 'delete' });
    return {
      form: 'delete',
      saved: result.data.deletionDeferred
        ? 'Deletion requested: a legal hold keeps this video for now; it is deleted as soon as the hold ends.'
        : 'Your video is being deleted now. It can no longer be played or downloaded.',
    };
  }),
};
