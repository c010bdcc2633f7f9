// One script project: its scenes with their live state (the page follows them), the
// settings, a new split, one scene's edit, the whole run's quote and its confirmation (a
// key fixed when the page was made, so a double submit runs once), cancellation, the
// newest video and every revision.
import { randomUUID } from 'node:crypto';
import { error } from '@sveltejs/kit';
import { friendlyMessage } from '#lib/api/errors.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, raw, text, toSignIn } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { scriptApi } from '#lib/script/api.ts';
import type { SplitMethod } from '#lib/script/types.ts';
import type { Actions, PageServerLoad } from './$types';
import { ASSET_LIST_MAX_LIMIT } from '../../../../../../domain/retention.ts';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const scripts = scriptApi(api);
  const id = event.params.id;
  const [project, revisions, models, uploads] = await Promise.all([
    scripts.project(id),
    scripts.revisions(id),
    api.generation.models(),
    api.retention.assets({ kind: 'input', status: 'stored', media: 'audio', limit: ASSET_LIST_MAX_LIMIT }),
  ]);
  if (!project.ok) {
    if (project.problem.status === 401) toSignIn(event.url);
    if (project.problem.status === 404 || project.problem.status === 400) error(404, 'No such project.');
    error(project.problem.status >= 400 ? project.problem.status : 503, friendlyMessage(project.problem));
  }
  const video = project.data.video;
  const link = video ? await api.retention.downloadLink(video.assetId) : null;
  return {
    project: project.data,
    revisions: revisions.ok ? revisions.data.revisions : [],
    models: models.ok ? models.data.models : [],
    recordings: uploads.ok ? uploads.data.assets : [],
    videoUrl: link?.ok ? link.data.url : null,
    runKey: randomUUID(),
  };
};

export const actions: Actions = {
  settings: async (event) => {
    const form = await event.request.formData();
    const body = {
      title: text(form, 'title') || undefined,
      voiceAssetId: text(form, 'voiceAssetId') || null,
      voiceLanguage: text(form, 'voiceLanguage') || undefined,
      burnSubtitles: form.get('burnSubtitles') === 'on',
    };
    const result = await scriptApi(serverApi(event)).update(event.params.id, body, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'settings' });
    return { form: 'settings', saved: true };
  },

  split: async (event) => {
    const form = await event.request.formData();
    const method = (text(form, 'method') || 'local') as SplitMethod;
    const result = await scriptApi(serverApi(event)).split(event.params.id, method, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'split' });
    return { form: 'split', split: result.data.scenes.length };
  },

  scene: async (event) => {
    const form = await event.request.formData();
    const sceneId = text(form, 'sceneId');
    const body = {
      text: raw(form, 'text').trim(),
      durationSeconds: Number(text(form, 'durationSeconds')),
      modelId: text(form, 'modelId'),
    };
    const result = await scriptApi(serverApi(event)).editScene(event.params.id, sceneId, body, csrfOf(form));
    if (!result.ok) return failure(result.problem, { text: body.text }, { form: `scene-${sceneId}` });
    return { form: `scene-${sceneId}`, saved: sceneId };
  },

  quote: async (event) => {
    const form = await event.request.formData();
    const result = await scriptApi(serverApi(event)).quote(event.params.id, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'quote' });
    return { form: 'quote', quote: result.data };
  },

  run: async (event) => {
    const form = await event.request.formData();
    const result = await scriptApi(serverApi(event)).run(
      event.params.id,
      text(form, 'quoteHash'),
      text(form, 'runKey'),
      csrfOf(form),
    );
    if (!result.ok) return failure(result.problem, {}, { form: 'run' });
    return { form: 'run', started: true };
  },

  cancel: async (event) => {
    const form = await event.request.formData();
    const result = await scriptApi(serverApi(event)).cancel(event.params.id, csrfOf(form));
    if (!result.ok) return failure(result.problem, {}, { form: 'cancel' });
    return { form: 'cancel', cancelled: true };
  },
};
