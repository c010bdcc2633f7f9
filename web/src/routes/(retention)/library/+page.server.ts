// The library: the creator's videos and uploads, each with the time left before it is
// deleted (R-OUT-7D, R-IN-30D), a download, deletion now (R-IN-EARLY) and, under a legal
// hold, that it is kept and that a deletion asked for waits for the hold to end (R-HOLD);
// an image the classifier refused can be put to a person (D-ADM).
import { serverApi } from '#lib/server/api.ts';
import { failure, formAction, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = 24;

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const q = event.url.searchParams;
  const [videos, uploads] = await Promise.all([
    api.retention.assets({ kind: 'output', limit: PAGE, cursor: q.get('videos') ?? undefined }),
    api.retention.assets({ kind: 'input', limit: PAGE, cursor: q.get('uploads') ?? undefined }),
  ]);
  // Which job made each video on this page, for its prompt and a link back, however old.
  const jobIds = [
    ...new Set((videos.ok ? videos.data.assets : []).flatMap((a) => (a.jobId ? [a.jobId] : []))),
  ];
  const jobs = jobIds.length
    ? await api.generation.jobs({ ids: jobIds.join(','), limit: jobIds.length })
    : null;
  const byOutput: Record<string, { jobId: string; prompt: string; durationSeconds?: number }> = {};
  for (const job of jobs?.ok ? jobs.data.jobs : []) {
    if (job.output) {
      byOutput[job.output.assetId] = {
        jobId: job.id,
        prompt: job.prompt,
        durationSeconds: job.parameters.durationSeconds,
      };
    }
  }
  return {
    videos: videos.ok ? videos.data : null,
    uploads: uploads.ok ? uploads.data : null,
    byOutput,
    showDeleted: q.get('show') === 'all',
    loadError:
      videos.ok && uploads.ok
        ? undefined
        : 'We could not load all of your files just now. Reload the page to try again.',
  };
};

export const actions: Actions = {
  /** D-ADM: a person looks at an uploaded image the classifier refused. */
  requestReview: formAction(async ({ form, api, csrf }) => {
    const assetId = text(form, 'assetId');
    const which = `review-${assetId}`;
    const note = text(form, 'note');
    const result = await api.moderation.requestUploadReview(assetId, note ? { note } : {}, csrf);
    if (!result.ok) return failure(result.problem, { assetId }, { form: which });
    return { form: which, reviewRequested: assetId };
  }),
  delete: formAction(async ({ form, api, csrf }) => {
    const assetId = text(form, 'assetId');
    const which = `delete-${assetId}`;
    const result = await api.retention.deleteAsset(assetId, csrf);
    if (!result.ok) return failure(result.problem, { assetId }, { form: which });
    const what = result.data.kind === 'output' ? 'video' : 'upload';
    return {
      form: which,
      deleted: assetId,
      saved: result.data.deletionDeferred
        ? `Deletion requested: a legal hold keeps this ${what} for now; it is deleted as soon as the hold ends.`
        : result.data.status === 'deleted'
          ? `The ${what} is deleted.`
          : `Deletion requested: our storage did not answer just now, so this ${what} is deleted as soon as it does. It can no longer be downloaded.`,
    };
  }),
};
