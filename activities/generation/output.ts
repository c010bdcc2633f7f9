// Copying the finished video into our own storage as the job's output asset (provider
// URLs expire), hashing it on the way, with its 7-day retention started right here where
// it is stored (R-OUT-7D); a script project's scene is an intermediate instead
// (R-INTERMEDIATE). The asset id is fixed on the job first, so a retry writes the same
// object and row.
import { createHash, randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { startRetention, type RetainedAsset } from '../../clients/retention.ts';
import type { Config } from '../../config/index.ts';
import { Asset, GenerationJob } from '../../db/entities/index.ts';
import { FAILURE_TYPES } from '../../domain/failures.ts';
import {
  UPLOAD_PARTS_IN_FLIGHT,
  UPLOAD_PART_BYTES,
  assetDeleteAt,
  assetObjectKey,
} from '../../domain/retention.ts';
import { MINUTE } from '../../domain/time.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { loadJob, recordLiveState } from '../../stores/generation.ts';

/** Where the finished video is: the provider's (expiring) URL, or our own temporary render. */
export type OutputSource = { kind: 'url'; url: string } | { kind: 'object'; objectKey: string };

const DOWNLOAD_TIMEOUT_MS = 10 * MINUTE;

interface OutputDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
}

export function createOutputActivities(deps: OutputDeps) {
  return {
    async storeOutput(input: {
      jobId: string;
      source: OutputSource;
    }): Promise<RetainedAsset & { id: string }> {
      const { orm, store } = deps;
      const job = await loadJob(orm, input.jobId);
      await recordLiveState(orm.em.fork(), job.id, { status: 'saving' });
      const em = orm.em.fork();
      if (!job.outputAssetId) {
        await em.nativeUpdate(
          GenerationJob,
          { id: job.id, outputAssetId: null },
          { outputAssetId: randomUUID() },
        );
      }
      const assetId = (await em.fork().findOneOrFail(GenerationJob, { id: job.id })).outputAssetId!;
      const existing = await em.findOne(Asset, { id: assetId });
      // A script project's scene is an intermediate, kept with the final video that uses
      // it (R-INTERMEDIATE); any other job's video is an output (R-OUT-7D).
      const kind = job.scriptProjectId ? 'intermediate' : 'output';
      if (existing?.status !== 'stored') {
        const objectKey = assetObjectKey(job.user!, kind, assetId);
        const { size, sha256 } = await copyInto(store, objectKey, await openSource(store, input.source));
        const storedAt = new Date();
        await em.upsert(
          Asset,
          {
            id: assetId,
            user: job.user,
            kind,
            status: 'stored',
            objectKey,
            contentType: 'video/mp4',
            sizeBytes: size,
            sha256,
            jobId: job.id,
            createdAt: storedAt,
            storedAt,
            deleteAt: assetDeleteAt(kind, storedAt, deps.config.durations.retentionMs),
          },
          { onConflictFields: ['id'], onConflictAction: 'merge' },
        );
      }
      const asset = await em.fork().findOneOrFail(Asset, { id: assetId });
      await startRetention(deps.temporal.client, asset);
      return {
        id: asset.id,
        user: asset.user ?? null,
        kind: asset.kind,
        objectKey: asset.objectKey,
        deleteAt: asset.deleteAt!.toISOString(),
      };
    },
  };
}

async function openSource(store: ObjectStore, source: OutputSource): Promise<Readable> {
  if (source.kind === 'object') {
    const got = await store.client.send(
      new GetObjectCommand({ Bucket: store.bucket, Key: source.objectKey }),
    );
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

/** Streams into the store, counting and hashing; heartbeats the bytes copied so far. */
async function copyInto(
  store: ObjectStore,
  key: string,
  body: Readable,
): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const counted = body.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        Context.current().heartbeat({ bytes: size });
        done(null, chunk);
      },
    }),
  );
  await new Upload({
    client: store.client,
    params: {
      Bucket: store.bucket,
      Key: key,
      Body: counted,
      ContentType: 'video/mp4',
      ServerSideEncryption: store.serverSideEncryption,
    },
    partSize: UPLOAD_PART_BYTES,
    queueSize: UPLOAD_PARTS_IN_FLIGHT,
  }).done();
  return { size, sha256: hash.digest('hex') };
}
