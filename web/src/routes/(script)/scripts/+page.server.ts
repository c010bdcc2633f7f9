// Script projects: the creator's projects, last changed first, a page at a time; and a
// new one from a script written here or uploaded as a .txt or .srt file (judged by its
// bytes on this server, as the API judges them), with a voice recording from their
// uploads or speech made for them.
import { redirect } from '@sveltejs/kit';
import { readScriptFile } from '../../../../../domain/script-text.ts';
import { MAX_SCRIPT_FILE_BYTES, SCRIPT_FORMATS, type ScriptFormat } from '../../../../../domain/script.ts';
import { serverApi } from '#lib/server/api.ts';
import { csrfOf, failure, invalid, raw, text } from '#lib/server/forms.ts';
import { requireUser } from '#lib/server/guards.ts';
import { scriptApi } from '#lib/script/api.ts';
import type { CreateScriptInput } from '#lib/script/types.ts';
import type { Actions, PageServerLoad } from './$types';
import { ASSET_LIST_MAX_LIMIT } from '../../../../../domain/retention.ts';

export const load: PageServerLoad = async (event) => {
  await requireUser(event);
  const api = serverApi(event);
  const cursor = event.url.searchParams.get('cursor') ?? undefined;
  const [projects, models, uploads] = await Promise.all([
    scriptApi(api).projects(cursor),
    api.generation.models(),
    api.retention.assets({ kind: 'input', status: 'stored', media: 'audio', limit: ASSET_LIST_MAX_LIMIT }),
  ]);
  return {
    projects: projects.ok ? projects.data.projects : [],
    nextCursor: projects.ok ? projects.data.nextCursor : null,
    /** A page of projects changed earlier: it links back to the first. */
    earlier: Boolean(cursor),
    models: models.ok ? models.data.models : [],
    recordings: uploads.ok ? uploads.data.assets : [],
  };
};

/** The script typed, or the uploaded file's text when one was chosen. */
async function scriptOf(
  form: FormData,
): Promise<{ script: string; format: ScriptFormat } | { error: string }> {
  const file = form.get('scriptFile');
  if (file instanceof File && file.size > 0) {
    if (file.size > MAX_SCRIPT_FILE_BYTES)
      return { error: `A script file can be at most ${MAX_SCRIPT_FILE_BYTES / 1024} KB.` };
    const read = readScriptFile(new Uint8Array(await file.arrayBuffer()));
    return read.ok ? { script: read.text, format: read.format } : { error: read.reason };
  }
  const format = text(form, 'format');
  return {
    script: raw(form, 'script'),
    format: (SCRIPT_FORMATS as readonly string[]).includes(format) ? (format as ScriptFormat) : 'text',
  };
}

export const actions: Actions = {
  create: async (event) => {
    const form = await event.request.formData();
    const values = { title: text(form, 'title'), script: raw(form, 'script') };
    const script = await scriptOf(form);
    if ('error' in script) return invalid({ scriptFile: script.error }, values);
    const file = form.get('scriptFile');
    const title =
      values.title || (file instanceof File && file.size > 0 ? file.name.replace(/\.[^.]+$/, '') : '');
    const body: CreateScriptInput = {
      title,
      script: script.script,
      format: script.format,
      resolution: text(form, 'resolution') || undefined,
      aspectRatio: text(form, 'aspectRatio') || undefined,
      modelId: text(form, 'modelId') || undefined,
      voiceAssetId: text(form, 'voiceAssetId') || null,
      voiceLanguage: (text(form, 'voiceLanguage') || undefined) as CreateScriptInput['voiceLanguage'],
      burnSubtitles: form.get('burnSubtitles') === 'on',
    };
    const created = await scriptApi(serverApi(event)).create(body, csrfOf(form));
    if (!created.ok) return failure(created.problem, values);
    redirect(303, `/scripts/${created.data.id}`);
  },
};
