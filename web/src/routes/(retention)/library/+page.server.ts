// The library: the creator's videos and uploads, each with the time left before it is
// deleted (R-OUT-7D, R-IN-30D), a download, deletion now (R-IN-EARLY) and a badge when a
// legal hold keeps it (R-HOLD).
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import type { Actions, PageServerLoad } from './$types';

const PAGE = 24;

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const q = event.url.searchParams;
  const [videos, uploads, jobs] = await Promise.all([
    api.retention.assets({ kind: 'output', limit: PAGE, cursor: q.get('videos') ?? undefined }),
    api.retention.assets({ kind: 'input', limit: PAGE, cursor: q.get('uploads') ?? undefined }),
    // Which job made each video, for its prompt and a link back.
    api.generation.jobs({ status: 'succeeded', limit: 100 }),
  ]);
  const byOutput: Record<string, { jobId: string; prompt: string; durationSeconds?: number }> = {};
  if (jobs.ok) {
    for (const job of jobs.data.jobs) {
      if (job.output) {
        byOutput[job.output.assetId] = {
          jobId: job.id,
          prompt: job.prompt,
          durationSeconds: job.parameters.durationSeconds,
        };
      }
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
  delete: async (event) => {
    const form = await event.request.formData();
    const assetId = text(form, 'assetId');
    const result = await serverApi(event).retention.deleteAsset(assetId, csrfOf(form));
    if (!result.ok) return failure(result.problem, { assetId }, { form: `delete-${assetId}` });
    return {
      form: `delete-${assetId}`,
      deleted: assetId,
      saved: result.data.kind === 'output' ? 'The video is deleted.' : 'The upload is deleted.',
    };
  },
};
