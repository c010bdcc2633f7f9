// The composition of a revision: every scene's clip (fitted to the project's frame and
// exactly its scene's length), the voice track and the subtitles, by ffmpeg, into the
// final video (an output: 7 days, R-OUT-7D) with a soft subtitle track, the subtitles
// also burned in when asked; the WebVTT file beside it (an intermediate). Then, in one
// transaction, the revision records what it made and every intermediate it uses is kept
// as long as the final video (R-INTERMEDIATE).
//
// Idempotent: the final video's and the subtitles' ids derive from the revision, so a
// worker killed mid-way (the heartbeat stops; the retry runs elsewhere) writes the same
// objects and rows again: one final video, whatever happens.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  Asset,
  GenerationJob,
  ScriptProject,
  ScriptRevision,
  ScriptRevisionScene,
} from '../../db/entities/index.ts';
import { SCRIPT_FAILURE_TYPES } from '../../domain/script.ts';
import { webVtt } from '../../domain/script-text.ts';
import { SECOND } from '../../domain/time.ts';
import { DEFAULT_FPS, resolutionSize } from '../../providers/local.ts';
import { derivedAssetId, loadRevision, recordProjectLive } from '../../stores/script.ts';
import { heartbeat } from '../heartbeat.ts';
import { storing } from '../storing.ts';
import { mediaTries, storeFile, storedAsset, type FileDeps } from './files.ts';
import { downloadObject, runFfmpeg } from './media.ts';
import { compositionArgs } from './composition.ts';

/** Progress reaches the project's row at most this often. */
const PROGRESS_WRITE_INTERVAL_MS = SECOND;

type Loaded = Awaited<ReturnType<typeof loadRevision>>;

export function createComposeActivities(deps: FileDeps) {
  return {
    async composeRevision(input: {
      revisionId: string;
    }): Promise<{ finalAssetId: string; durationSeconds: number }> {
      return storing(mediaTries(deps.config), () => composeRevision(deps, input.revisionId));
    },
  };
}

async function composeRevision(
  deps: FileDeps,
  revisionId: string,
): Promise<{ finalAssetId: string; durationSeconds: number }> {
  const loaded = await loadRevision(deps.orm, revisionId);
  const { revision, project } = loaded;
  const finalId = derivedAssetId('final', revision.id);
  const subtitlesId = derivedAssetId('subtitles', revision.id);
  await deps.orm.em
    .fork()
    .nativeUpdate(
      ScriptProject,
      { id: project.id, status: 'running' },
      { phase: 'composing', phaseProgress: 0 },
    );
  const clips = await clipsOf(deps, loaded);
  const total = loaded.scenes.reduce((sum, s) => sum + s.durationSeconds, 0);
  if (!(await storedAsset(deps.orm, finalId))) {
    const dir = await deps.scratch.folder('compose-');
    try {
      await composeInto(deps, loaded, clips, dir, { finalId, subtitlesId, total });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  await record(deps, loaded, clips, { finalId, subtitlesId, total });
  return { finalAssetId: finalId, durationSeconds: total };
}

/** Each scene's clip: the video its job made (new in this run, or kept from an earlier one). */
async function clipsOf(deps: FileDeps, { scenes }: Loaded): Promise<Asset[]> {
  const em = deps.orm.em.fork();
  const jobs = await em.find(GenerationJob, { id: { $in: scenes.map((s) => s.jobId) } });
  const outputs = new Map(jobs.map((j) => [j.id, j.outputAssetId]));
  const assets = await em.find(Asset, {
    id: { $in: jobs.map((j) => j.outputAssetId).filter((id): id is string => Boolean(id)) },
    status: 'stored',
  });
  return scenes.map((scene) => {
    const clip = assets.find((a) => a.id === outputs.get(scene.jobId));
    if (!clip) {
      throw ApplicationFailure.nonRetryable(
        `scene ${scene.position} has no stored clip`,
        SCRIPT_FAILURE_TYPES.clipMissing,
      );
    }
    return clip;
  });
}

async function composeInto(
  deps: FileDeps,
  { revision, project, scenes }: Loaded,
  clips: Asset[],
  dir: string,
  ids: { finalId: string; subtitlesId: string; total: number },
): Promise<void> {
  const voice = revision.voiceTrackAssetId
    ? await deps.orm.em.fork().findOne(Asset, { id: revision.voiceTrackAssetId, status: 'stored' })
    : null;
  if (!voice) {
    throw ApplicationFailure.nonRetryable(
      'the voice track is missing',
      SCRIPT_FAILURE_TYPES.voiceUnavailable,
    );
  }
  const clipFiles: string[] = [];
  for (const [i, clip] of clips.entries()) {
    const file = path.join(dir, `clip-${i}.mp4`);
    await downloadObject(deps.store, clip.objectKey, file);
    clipFiles.push(file);
    heartbeat({ downloaded: i + 1 });
  }
  const voiceFile = path.join(dir, 'voice.m4a');
  await downloadObject(deps.store, voice.objectKey, voiceFile);
  const subtitlesFile = path.join(dir, 'subtitles.vtt');
  await writeFile(subtitlesFile, webVtt(scenes));
  const finalFile = path.join(dir, 'final.mp4');
  const { width, height } = resolutionSize(revision.resolution, revision.aspectRatio);
  let written = 0;
  await runFfmpeg(
    compositionArgs({
      clips: clipFiles.map((file, i) => ({ file, seconds: scenes[i]!.durationSeconds })),
      voiceFile,
      subtitlesFile,
      burnSubtitles: revision.burnSubtitles,
      width,
      height,
      fps: DEFAULT_FPS,
      output: finalFile,
    }),
    {
      ffmpegPath: deps.config.ffmpegPath,
      totalSeconds: ids.total,
      signal: Context.current().cancellationSignal,
      onProgress: (fraction) => {
        heartbeat({ fraction });
        if (Date.now() - written < PROGRESS_WRITE_INTERVAL_MS) return;
        written = Date.now();
        recordProjectLive(deps.orm.em.fork(), project.id, { phaseProgress: fraction }).catch(() => {
          // Progress is a courtesy: the composition goes on whatever the database says.
        });
      },
    },
  );
  const final = await storeFile(deps, {
    assetId: ids.finalId,
    userId: project.user,
    kind: 'output',
    file: finalFile,
    contentType: 'video/mp4',
  });
  // Made with its final video: kept exactly as long, no later move needed.
  await storeFile(deps, {
    assetId: ids.subtitlesId,
    userId: project.user,
    kind: 'intermediate',
    file: subtitlesFile,
    contentType: 'text/vtt',
    deleteAt: final.deleteAt,
  });
}

/** The revision's record and its intermediates' lifetime, together or not at all. */
async function record(
  deps: FileDeps,
  { revision, project, scenes }: Loaded,
  clips: Asset[],
  ids: { finalId: string; subtitlesId: string; total: number },
): Promise<void> {
  const em = deps.orm.em.fork();
  const final = await em.findOneOrFail(Asset, { id: ids.finalId });
  const intermediates = [...clips.map((c) => c.id), revision.voiceTrackAssetId!, ids.subtitlesId];
  await em.transactional(async (tx) => {
    for (const [i, scene] of scenes.entries()) {
      await tx.nativeUpdate(ScriptRevisionScene, { id: scene.id }, { clipAssetId: clips[i]!.id });
    }
    // R-INTERMEDIATE: every file this video uses stays as long as the newest video using
    // it; its own retention timer reads this when it fires and waits on if it moved.
    await tx.execute(
      `update assets set delete_at = greatest(delete_at, ?) where id in (?) and kind = 'intermediate'`,
      [final.deleteAt, intermediates],
    );
    await tx.nativeUpdate(
      ScriptRevision,
      { id: revision.id },
      {
        finalAssetId: ids.finalId,
        subtitlesAssetId: ids.subtitlesId,
        durationSeconds: ids.total,
        composedAt: revision.composedAt ?? new Date(),
        status: 'composed',
      },
    );
    await tx.execute(
      `update script_projects set latest_revision = greatest(coalesce(latest_revision, 0), ?), phase_progress = 1
        where id = ?`,
      [revision.number, project.id],
    );
  });
}
