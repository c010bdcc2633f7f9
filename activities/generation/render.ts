// The built-in provider: renders the video with ffmpeg into a local file, uploads it as
// the job's temporary asset (R-TEMP) and removes the local file. The temporary asset is
// registered, with its retention workflow as a backstop, before a byte is written, under
// an id derived from the job's, so a retry writes the same object and row. Progress goes
// to the job's row (and from there to whoever watches), never to the workflow.
import { createHash } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { startRetention } from '../../clients/retention.ts';
import type { Config } from '../../config/index.ts';
import { Asset } from '../../db/entities/index.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import { RENDER_ATTEMPTS } from '../../domain/generation.ts';
import { assetDeleteAt, assetObjectKey } from '../../domain/retention.ts';
import { SECOND } from '../../domain/time.ts';
import { uploadFile } from '../../platform/objects.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { Scratch } from '../../platform/scratch.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { renderLocalVideo, resolutionSize } from '../../providers/local.ts';
import { jobParameters, loadJob, recordLiveState } from '../../stores/generation.ts';
import { storageFailure, storing } from '../storing.ts';

/** Progress is written at most this often, in steps of at least this much. */
const PROGRESS_WRITE_STEP = 0.05;
const PROGRESS_WRITE_INTERVAL_MS = SECOND;

interface RenderDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  scratch: Scratch;
}

/** The temporary file of a job's render: one per job, the same on every retry. */
export function tempAssetIdFor(jobId: string): string {
  const hex = createHash('sha256').update(`temp:${jobId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Registers a temporary processing file of a job (R-TEMP) before its bytes are written,
 * and starts its retention workflow as a backstop should the job's end never come.
 */
export async function registerTempAsset(
  deps: RenderDeps,
  input: { assetId: string; userId: string; jobId: string },
): Promise<{ assetId: string; objectKey: string; deleteAt: string }> {
  const em = deps.orm.em.fork();
  const storedAt = new Date();
  await em.upsert(
    Asset,
    {
      id: input.assetId,
      user: input.userId,
      kind: 'temp',
      status: 'stored',
      objectKey: assetObjectKey(input.userId, 'temp', input.assetId),
      jobId: input.jobId,
      createdAt: storedAt,
      storedAt,
      deleteAt: assetDeleteAt('temp', storedAt, deps.config.durations.retentionMs),
    },
    { onConflictFields: ['id'], onConflictAction: 'ignore' },
  );
  const asset = await em.fork().findOneOrFail(Asset, { id: input.assetId });
  if (asset.kind !== 'temp' || asset.user !== input.userId) {
    throw new Error(`asset ${input.assetId} exists and is not this temp file`);
  }
  await startRetention(deps.temporal.client, asset);
  return { assetId: asset.id, objectKey: asset.objectKey, deleteAt: asset.deleteAt!.toISOString() };
}

export function createRenderActivities(deps: RenderDeps) {
  return {
    /** Heartbeats carry progress; a cancelled job stops ffmpeg at the next heartbeat. */
    async renderLocal(input: {
      jobId: string;
    }): Promise<{ tempAssetId: string; objectKey: string; bytes: number }> {
      const tries = {
        attempts: RENDER_ATTEMPTS,
        storeWaitMs: deps.config.durations.renderStoreWaitMs,
        spentType: FAILURE_TYPES.renderFailed,
      };
      // ffmpeg failing ends the job after its attempts; our store or database not
      // answering, only once the store's wait is over.
      return storing(tries, () => renderOnce(deps, input.jobId));
    },
  };
}

async function renderOnce(
  deps: RenderDeps,
  jobId: string,
): Promise<{ tempAssetId: string; objectKey: string; bytes: number }> {
  const job = await loadJob(deps.orm, jobId);
  const temp = await registerTempAsset(deps, {
    assetId: tempAssetIdFor(job.id),
    userId: job.user!,
    jobId: job.id,
  });
  await recordLiveState(deps.orm.em.fork(), job.id, { status: 'running' });
  const dir = await deps.scratch.folder('render-');
  try {
    const file = path.join(dir, 'render.mp4');
    await render(deps, job, file);
    const { size } = await stat(file);
    await uploadFile(deps.store, temp.objectKey, file, 'video/mp4').catch((err: unknown) => {
      throw storageFailure(err);
    });
    return { tempAssetId: temp.assetId, objectKey: temp.objectKey, bytes: size };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function render(
  deps: RenderDeps,
  job: Awaited<ReturnType<typeof loadJob>>,
  file: string,
): Promise<void> {
  const p = jobParameters(job);
  const { width, height } = resolutionSize(p.resolution, p.aspectRatio);
  const ctx = Context.current();
  let written = { progress: 0, at: 0 };
  await renderLocalVideo({
    prompt: job.prompt,
    seed: p.seed ?? 0,
    durationSeconds: p.durationSeconds,
    width,
    height,
    outputPath: file,
    ffmpegPath: deps.config.ffmpegPath,
    signal: ctx.cancellationSignal,
    onProgress: (fraction) => {
      ctx.heartbeat({ progress: fraction });
      const now = Date.now();
      if (fraction - written.progress < PROGRESS_WRITE_STEP || now - written.at < PROGRESS_WRITE_INTERVAL_MS)
        return;
      written = { progress: fraction, at: now };
      recordLiveState(deps.orm.em.fork(), job.id, { progress: fraction }).catch(() => {
        // Progress is a courtesy: the render goes on whatever the database says.
      });
    },
  });
}
