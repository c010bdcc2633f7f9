// Copying the finished video into our own storage as the job's output asset (provider
// URLs expire), hashing it on the way, scoring frames sampled from it with the image
// classifier before it is released (S-MOD), with its 7-day retention started right here,
// beside the copy (R-OUT-7D); a script project's scene is an intermediate instead
// (R-INTERMEDIATE), scored the same way. The asset id is fixed on the job first, so a
// retry writes the same object and row. Scoring inside this activity adds no Temporal action.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { startRetention, type RetainedAsset } from '../../clients/retention.ts';
import type { Config } from '../../config/index.ts';
import { Asset } from '../../db/entities/index.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import { OUTPUT_COPY_ATTEMPTS, OUTPUT_COPY_MAX_MS } from '../../domain/generation.ts';
import { judgeImage, type AssetModeration, type ImageVerdict } from '../../domain/moderation.ts';
import { assetDeleteAt, assetObjectKey } from '../../domain/retention.ts';
import { MINUTE } from '../../domain/time.ts';
import { UndecodableMedia } from '../../platform/undecodable.ts';
import type { ImageClassifier } from '../../platform/image-classifier.ts';
import { uploadObject } from '../../platform/objects.ts';
import { settleAll } from '../../platform/settle.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { Scratch } from '../../platform/scratch.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { beginSaving, recordLiveState, type SavingJob } from '../../stores/generation.ts';
import { reportAssetVerdict, verdictColumns } from '../../stores/moderation.ts';
import { storageFailure, storing } from '../storing.ts';

/** Where the finished video is: the provider's (expiring) URL, or our own temporary render. */
export type OutputSource = { kind: 'url'; url: string } | { kind: 'object'; objectKey: string };

const DOWNLOAD_TIMEOUT_MS = 10 * MINUTE;

interface OutputDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  classifier: ImageClassifier;
  scratch: Scratch;
}

/** The stored output, and whether it may be released now or waits for a person (S-MOD). */
export type StoredOutput = RetainedAsset & { id: string; moderation: AssetModeration; reason: string | null };

export function createOutputActivities(deps: OutputDeps) {
  return {
    /**
     * Copies the video in, then scores frames sampled from it (S-MOD) before its row says
     * stored: a video is never stored unscored. A held one is not downloadable until a
     * person releases it; its review is opened and the job shows why it waits.
     */
    async storeOutput(input: { jobId: string; source: OutputSource }): Promise<StoredOutput> {
      const tries = {
        attempts: OUTPUT_COPY_ATTEMPTS,
        storeWaitMs: deps.config.durations.outputStoreWaitMs,
        spentType: FAILURE_TYPES.outputDownloadFailed,
      };
      // The provider's download fails for good after its attempts; our store or database
      // not answering, only once the store's wait is over: the provider still has the video.
      return storing(tries, () => storeOutputOnce(deps, input));
    },
  };
}

/** One attempt at the copy: a retry finds what an earlier one stored, by the job's output id. */
async function storeOutputOnce(
  deps: OutputDeps,
  input: { jobId: string; source: OutputSource },
): Promise<StoredOutput> {
  const job = await beginSaving(deps.orm.em.fork(), input.jobId);
  const em = deps.orm.em.fork();
  let verdict: ImageVerdict | null = null;
  let asset: Asset;
  if (job.outputStored) {
    asset = await em.findOneOrFail(Asset, { id: job.outputAssetId });
    await startRetention(deps.temporal.client, asset);
  } else {
    const copied = await copyRetained(deps, job, input.source);
    verdict = copied.verdict;
    asset = copied.asset;
  }
  if (asset.moderation === 'held') {
    await recordLiveState(em, job.id, {
      status: 'awaiting_review',
      statusMessage: verdict?.reason ?? null,
    });
  }
  return {
    id: asset.id,
    user: asset.user ?? null,
    kind: asset.kind,
    objectKey: asset.objectKey,
    deleteAt: asset.deleteAt!.toISOString(),
    moderation: asset.moderation ?? 'passed',
    reason: verdict?.reason ?? null,
  };
}

/**
 * The copy, with its retention started beside it rather than after it: the deletion is
 * scheduled before the first byte is stored, and the job does not wait for that start
 * (10 ms at the median, 21 on average in bench:orchestration). The delete-at counts from
 * the time this activity was first scheduled, which every retry shares, so the timer and
 * the row always agree. The row says stored only once scored.
 */
async function copyRetained(
  deps: OutputDeps,
  job: SavingJob,
  source: OutputSource,
): Promise<{ asset: Asset; verdict: ImageVerdict }> {
  // A script project's scene is an intermediate, kept with the final video that uses
  // it (R-INTERMEDIATE); any other job's video is an output (R-OUT-7D).
  const kind: 'output' | 'intermediate' = job.scriptProjectId ? 'intermediate' : 'output';
  const id = job.outputAssetId;
  const objectKey = assetObjectKey(job.userId!, kind, id);
  const scheduledAt = new Date(Context.current().info.scheduledTimestampMs);
  const stored = {
    id,
    kind,
    objectKey,
    deleteAt: assetDeleteAt(kind, scheduledAt, deps.config.durations.retentionMs),
  };
  const retain = () => startRetention(deps.temporal.client, { ...stored, user: job.userId });
  // Beside the copy only when the deletion is due after the copy's last possible attempt,
  // as it always is at the policy's days. At a test stack's seconds the timer could fire
  // first, find no row, and the copy then store the video after its deletion: there it
  // starts once the row is written, and a timer already due deletes the video at once.
  const beside = stored.deleteAt.getTime() - Date.now() > OUTPUT_COPY_MAX_MS;
  const [copy, retention] = await Promise.allSettled([
    copyAndScore(deps, objectKey, source),
    beside ? retain() : undefined,
  ]);
  if (copy.status === 'rejected') throw copy.reason;
  const { removed, ...copied } = copy.value;
  // The scratch file goes while the row is written; both settle before the activity ends.
  const [asset] = await settleAll([
    retention.status === 'fulfilled'
      ? recordOutput(deps, job, stored, copied)
      : Promise.reject(retention.reason as Error),
    removed,
  ]);
  if (!beside) await retain();
  return { asset, verdict: copied.verdict };
}

/** The stored output's row, with its scores; a hold opens its review (S-MOD). */
async function recordOutput(
  deps: OutputDeps,
  job: SavingJob,
  stored: { id: string; kind: 'output' | 'intermediate'; objectKey: string; deleteAt: Date },
  copied: { size: number; sha256: string; verdict: ImageVerdict },
): Promise<Asset> {
  const em = deps.orm.em.fork();
  const storedAt = new Date();
  const asset = await em.upsert(
    Asset,
    {
      ...stored,
      user: job.userId,
      status: 'stored',
      contentType: 'video/mp4',
      sizeBytes: copied.size,
      sha256: copied.sha256,
      jobId: job.id,
      createdAt: storedAt,
      storedAt,
      ...verdictColumns(copied.verdict),
    },
    { onConflictFields: ['id'], onConflictAction: 'merge' },
  );
  await reportAssetVerdict(em, asset, copied.verdict, 'output');
  return asset;
}

/**
 * Copies the video into the store and, in the same pass, into a private temporary file
 * (ffmpeg needs to seek in a video), then scores frames sampled from that file: the
 * bytes scored are the bytes stored, read once. The file is removed whatever happens.
 */
async function copyAndScore(
  deps: OutputDeps,
  objectKey: string,
  source: OutputSource,
): Promise<{ size: number; sha256: string; verdict: ImageVerdict; removed: Promise<void> }> {
  const dir = await deps.scratch.folder('output-');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const file = path.join(dir, 'video.mp4');
    const copy = copyInto(deps.store, objectKey, await openSource(deps.store, source), file, {
      // Our own render is read from the store: its failures are the store's too.
      sourceFailure: source.kind === 'object' ? storageFailure : (err) => err,
    });
    // Scoring starts as soon as the file is whole, while the store takes the last bytes.
    const scoring = copy.written.then(() => {
      Context.current().heartbeat({ scoring: objectKey });
      return scoreOutput(deps, file);
    });
    // Both settle before the file goes: nothing of this attempt is left running.
    const [stored, verdict] = await settleAll([copy.stored, scoring]);
    return { ...stored, verdict, removed: remove() };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** The frames' verdict; a video ffmpeg cannot read is held for a person, never let through unseen. */
async function scoreOutput(deps: OutputDeps, file: string): Promise<ImageVerdict> {
  try {
    return judgeImage(await deps.classifier.scoreVideoFile(file), 'output');
  } catch (err) {
    if (err instanceof UndecodableMedia) return judgeImage([], 'output');
    throw err;
  }
}

async function openSource(store: ObjectStore, source: OutputSource): Promise<Readable> {
  if (source.kind === 'object') {
    const got = await store.client
      .send(new GetObjectCommand({ Bucket: store.bucket, Key: source.objectKey }))
      .catch((err: unknown) => {
        throw storageFailure(err);
      });
    return got.Body as Readable;
  }
  const res = await fetch(source.url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok || !res.body) {
    throw ApplicationFailure.create({
      message: `the provider's video answered ${res.status}`,
      type: FAILURE_TYPES.outputDownloadFailed,
      nonRetryable: res.status === 404 || res.status === 410 || res.status === 403,
    });
  }
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
}

/**
 * Streams into the store and into `file`, counting and hashing; heartbeats the bytes
 * copied so far. `written` settles when the file is whole (or the copy failed), `stored`
 * when the store has it all. A failure is the store's (`StorageUnavailable`) unless the
 * source or the file failed first (`sourceFailure` says what the source's failure is).
 */
function copyInto(
  store: ObjectStore,
  key: string,
  body: Readable,
  file: string,
  options: { sourceFailure: (err: unknown) => unknown },
): { written: Promise<void>; stored: Promise<{ size: number; sha256: string }> } {
  const hash = createHash('sha256');
  const copy = createWriteStream(file, { mode: 0o600 });
  let size = 0;
  let fileWritten!: () => void;
  let copyFailed!: (err: unknown) => void;
  const written = new Promise<void>((resolve, reject) => {
    fileWritten = resolve;
    copyFailed = reject;
  });
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      Context.current().heartbeat({ bytes: size });
      if (copy.write(chunk)) done(null, chunk);
      else copy.once('drain', () => done(null, chunk));
    },
    flush(done) {
      copy.end(() => {
        fileWritten();
        done();
      });
    },
  });
  let notTheStore: unknown;
  counted.on('error', copyFailed);
  copy.on('error', (err) => {
    notTheStore ??= err;
    counted.destroy(err);
  });
  body.on('error', (err) => {
    notTheStore ??= options.sourceFailure(err);
    counted.destroy(err);
  });
  const stored = uploadObject(store, key, body.pipe(counted), 'video/mp4').then(
    () => ({ size, sha256: hash.digest('hex') }),
    (err: unknown) => {
      // A store that gave up leaves the file unfinished: the scoring waiting for it ends too.
      const failure = notTheStore ?? storageFailure(err);
      copyFailed(failure);
      counted.destroy();
      throw failure;
    },
  );
  return { written, stored };
}
