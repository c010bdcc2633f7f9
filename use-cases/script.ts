// Script projects as the creator writes them: a project from a written or uploaded
// script (a .txt or .srt file, read from its bytes), its settings (a voice recording, the
// frame, subtitles), and its scenes: split by the built-in splitter or, when one is
// configured, a language model (OpenAI-compatible chat completions with structured
// output), then reviewed and edited one by one. Nothing here is charged: a run is
// quoted and confirmed in use-cases/script-run.ts. A running project cannot be edited.
import { randomInt } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, ScriptProject, ScriptScene } from '../db/entities/index.ts';
import type {
  CreateScriptBody,
  PatchSceneBody,
  ProjectView,
  ReplaceScenesBody,
  ScriptFile,
  SplitBody,
  UpdateScriptBody,
} from '../domain/contracts/script.ts';
import { AppError, badRequest, conflict, notFound } from '../domain/errors.ts';
import { MAX_SEED, findModel } from '../domain/models.ts';
import type { SceneDraft, ScriptFormat, SplitMethod } from '../domain/script.ts';
import { readScriptFile, splitScript } from '../domain/script-text.ts';
import { recordAudit } from '../platform/audit.ts';
import { splitWithChatModel } from '../providers/llm.ts';
import { ProviderError } from '../providers/types.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { processingRestricted } from './retention.ts';
import { getProject, ownProject } from './script-view.ts';

type Creator = Actor & { restrictedAt?: Date | null };

const newSeed = () => randomInt(0, Math.min(MAX_SEED, 2 ** 31 - 1));

/** A running project's scenes and settings are what its run is making: they wait. */
export function ensureEditable(project: ScriptProject): void {
  if (project.status === 'running') {
    throw conflict(
      'project_running',
      'This project is being made. Wait for it to finish, or cancel it first.',
    );
  }
}

/** The voice recording must be one of the creator's audio uploads, still stored. */
async function checkVoice(em: EntityManager, actor: Actor, voiceAssetId: string | null | undefined) {
  if (!voiceAssetId) return;
  const asset = await em.findOne(Asset, {
    id: voiceAssetId,
    user: actor.id,
    kind: 'input',
    status: 'stored',
  });
  if (!asset?.contentType?.startsWith('audio/')) {
    throw badRequest('The voice recording cannot be used.', [
      {
        field: 'voiceAssetId',
        message: 'Choose one of your uploaded audio files (MP3, WAV, M4A, OGG) that is still stored.',
      },
    ]);
  }
}

/** The durations the built-in splitter may choose from: the model's own. */
function durationsOf(modelId: string): readonly number[] {
  const model = findModel(modelId);
  if (!model)
    throw badRequest('That model is not offered.', [
      { field: 'modelId', message: 'Pick one from the list.' },
    ]);
  return model.durations;
}

/** The script split into scenes by the chosen splitter. */
async function splitInto(
  deps: UseCaseDeps,
  text: string,
  format: ScriptFormat,
  method: SplitMethod,
  modelId: string,
): Promise<SceneDraft[]> {
  const durations = durationsOf(modelId);
  if (method === 'llm') {
    if (!deps.config.llm) {
      throw badRequest('No language model is configured here; use the built-in splitter.', [
        { field: 'method', message: 'Choose "local".' },
      ]);
    }
    try {
      return await splitWithChatModel(deps.config.llm, { script: text, format, durations });
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      deps.logger.warn({ err: err.message, code: err.code }, 'language model split failed');
      throw new AppError(
        err.code === 'moderation_input' ? 422 : 502,
        'split_failed',
        err.code === 'moderation_input'
          ? 'The language model refused this script. Try the built-in splitter.'
          : 'The language model could not split this script just now. Try again, or use the built-in splitter.',
      );
    }
  }
  const split = splitScript(text, format, durations);
  if (!split.ok) throw badRequest(split.reason, [{ field: 'script', message: split.reason }]);
  return split.scenes;
}

async function writeScenes(
  tx: EntityManager,
  projectId: string,
  drafts: readonly (SceneDraft & { modelId: string; imageAssetId?: string | null })[],
): Promise<void> {
  await tx.nativeDelete(ScriptScene, { project: projectId });
  for (const [i, draft] of drafts.entries()) {
    tx.create(ScriptScene, {
      project: projectId,
      position: i + 1,
      text: draft.text,
      durationSeconds: draft.durationSeconds,
      modelId: draft.modelId,
      imageAssetId: draft.imageAssetId ?? null,
      seed: newSeed(),
    });
  }
}

export async function createProject(
  deps: UseCaseDeps,
  actor: Creator,
  body: CreateScriptBody,
): Promise<ProjectView> {
  if (actor.restrictedAt) throw processingRestricted();
  const em = deps.orm.em.fork();
  await checkVoice(em, actor, body.voiceAssetId);
  const drafts = await splitInto(deps, body.script, body.format, 'local', body.modelId);
  const project = await em.transactional(async (tx) => {
    const created = tx.create(ScriptProject, {
      user: actor.id,
      title: body.title,
      script: body.script,
      scriptFormat: body.format,
      splitMethod: 'local',
      aspectRatio: body.aspectRatio,
      resolution: body.resolution,
      voiceAssetId: body.voiceAssetId,
      voiceLanguage: body.voiceLanguage,
      burnSubtitles: body.burnSubtitles,
    });
    await tx.flush();
    await writeScenes(
      tx,
      created.id,
      drafts.map((d) => ({ ...d, modelId: body.modelId })),
    );
    return created;
  });
  await recordAudit(em, {
    action: 'script.created',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'script_project',
    targetId: project.id,
    subjectUserId: actor.id,
    details: { scenes: drafts.length, format: body.format },
  });
  return getProject(deps, actor, project.id);
}

export async function updateProject(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  body: UpdateScriptBody,
): Promise<ProjectView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  ensureEditable(project);
  await checkVoice(em, actor, body.voiceAssetId);
  const changes = {
    ...(body.title !== undefined ? { title: body.title } : {}),
    ...(body.script !== undefined ? { script: body.script } : {}),
    ...(body.format !== undefined ? { scriptFormat: body.format } : {}),
    ...(body.aspectRatio !== undefined ? { aspectRatio: body.aspectRatio } : {}),
    ...(body.resolution !== undefined ? { resolution: body.resolution } : {}),
    ...(body.voiceAssetId !== undefined ? { voiceAssetId: body.voiceAssetId } : {}),
    ...(body.voiceLanguage !== undefined ? { voiceLanguage: body.voiceLanguage } : {}),
    ...(body.burnSubtitles !== undefined ? { burnSubtitles: body.burnSubtitles } : {}),
  };
  await em.nativeUpdate(
    ScriptProject,
    { id: project.id, status: { $ne: 'running' } },
    { ...changes, updatedAt: new Date() },
  );
  return getProject(deps, actor, project.id);
}

/** Replaces the scenes with a new split of the script (the clips of earlier revisions stay theirs). */
export async function splitProject(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  body: SplitBody,
): Promise<ProjectView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  ensureEditable(project);
  const first = await em.findOne(ScriptScene, { project: id }, { orderBy: { position: 'asc' } });
  const modelId = body.modelId ?? first?.modelId ?? 'local-v1';
  const drafts = await splitInto(deps, project.script, project.scriptFormat, body.method, modelId);
  await em.transactional(async (tx) => {
    await writeScenes(
      tx,
      project.id,
      drafts.map((d) => ({ ...d, modelId })),
    );
    await tx.nativeUpdate(
      ScriptProject,
      { id: project.id },
      { splitMethod: body.method, updatedAt: new Date() },
    );
  });
  return getProject(deps, actor, project.id);
}

/**
 * The scenes as the creator arranged them: kept ones by id (a scene whose clip-making
 * settings did not change keeps its clip), new ones added, missing ones removed.
 */
export async function replaceScenes(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  body: ReplaceScenesBody,
): Promise<ProjectView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  ensureEditable(project);
  const existing = new Map((await em.find(ScriptScene, { project: id })).map((s) => [s.id, s]));
  for (const [i, scene] of body.scenes.entries()) {
    if (scene.id && !existing.has(scene.id)) {
      throw badRequest('A scene does not belong to this project.', [
        { field: `scenes.${i}.id`, message: 'Leave the id out for a new scene.' },
      ]);
    }
  }
  await em.transactional(async (tx) => {
    const kept = new Set(body.scenes.map((s) => s.id).filter(Boolean));
    await tx.nativeDelete(ScriptScene, { project: id, id: { $nin: [...kept] as string[] } });
    for (const [i, scene] of body.scenes.entries()) {
      const fields = {
        position: i + 1,
        text: scene.text,
        durationSeconds: scene.durationSeconds,
        modelId: scene.modelId,
        imageAssetId: scene.imageAssetId,
        updatedAt: new Date(),
      };
      if (scene.id) await tx.nativeUpdate(ScriptScene, { id: scene.id }, fields);
      else tx.create(ScriptScene, { ...fields, project: id, seed: newSeed() });
    }
    await tx.flush();
    await tx.nativeUpdate(ScriptProject, { id }, { updatedAt: new Date() });
  });
  return getProject(deps, actor, id);
}

/** One scene changed: its text, length, model or reference image. */
export async function patchScene(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  sceneId: string,
  body: PatchSceneBody,
): Promise<ProjectView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  ensureEditable(project);
  const scene = await em.findOne(ScriptScene, { id: sceneId, project: id });
  if (!scene) throw notFound('No such scene.');
  await em.nativeUpdate(ScriptScene, { id: sceneId }, { ...body, updatedAt: new Date() });
  await em.nativeUpdate(ScriptProject, { id }, { updatedAt: new Date() });
  return getProject(deps, actor, id);
}

/** An uploaded script file, judged by its bytes alone; nothing is stored. */
export function readScript(bytes: Uint8Array): ScriptFile {
  const read = readScriptFile(bytes);
  if (!read.ok) throw new AppError(415, 'unsupported_script_file', read.reason);
  const split = splitScript(read.text, read.format, durationsOf('local-v1'));
  return { script: read.text, format: read.format, scenes: split.ok ? split.scenes.length : 0 };
}
