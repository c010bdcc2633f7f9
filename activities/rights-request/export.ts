// The data export (D-ACCESS, D-PORT): every category of the person's data as JSON and
// CSV, a readable summary and (portability) the videos still stored, written as ONE ZIP
// archive streamed straight into object storage. Memory stays flat whatever the size:
// rows are read in pages, objects are streamed from S3 through the zip stream into a
// multipart upload that reuses a few part buffers (platform/pooled-upload.ts). The archive's key and asset id are
// the request's, so there is only ever one archive per request; a retry after a crash
// aborts the unfinished upload and writes the archive again (a ZIP's central directory
// depends on every byte before it, so an interrupted archive cannot be continued).
// The statement that links the archive to the request marks its step done with its figures.
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import yazl from 'yazl';
import type { Config } from '../../config/index.ts';
import { Asset, RightsRequest } from '../../db/entities/index.ts';
import { EXPORT_PAGE_ROWS, EXPORT_PART_BYTES, EXPORT_PARTS_IN_FLIGHT } from '../../domain/rights-request.ts';
import { assetDeleteAt, assetObjectKey } from '../../domain/retention.ts';
import { abortUnfinishedUploads, deleteObjectQuietly, headObject } from '../../platform/objects.ts';
import { pooledUpload } from '../../platform/pooled-upload.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { finishStep } from '../../stores/rights-request.ts';
import { heartbeat } from '../heartbeat.ts';
import { EXPORT_CATEGORIES, exportSummary } from './categories.ts';
import { batched, categoryRows, columnNames, csvChunks, jsonChunks } from './export-format.ts';

export interface ExportInput {
  requestId: string;
  userId: string;
  type: 'access' | 'portability';
}

export interface ExportResult {
  assetId: string;
  objectKey: string;
  sizeBytes: number;
  sha256: string;
  deleteAt: string;
  entries: number;
  videos: number;
}

export interface ExportProgress {
  entries: number;
  bytes: number;
}

export interface ExportDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
}

export function createExportActivities(deps: ExportDeps) {
  return {
    /**
     * Writes the archive and records it as an asset of kind `export` (its own short
     * retention, RETENTION_POLICY.export). Idempotent by request id: a stored archive is
     * returned as it is; an unfinished one is started again from the beginning.
     */
    async buildExportArchive(input: ExportInput): Promise<ExportResult> {
      const request = await deps.orm.em.fork().findOne(RightsRequest, { id: input.requestId });
      if (!request) throw ApplicationFailure.nonRetryable(`no request ${input.requestId}`, 'RequestNotFound');
      const done = await storedArchive(deps, input);
      if (done) return done;
      const archive = await writeArchive(deps, input);
      return recordArchive(deps, input, archive);
    },
  };
}

/** The request id names the archive: one object and one asset row per request. */
const archiveKey = (input: ExportInput) => assetObjectKey(input.userId, 'export', input.requestId);

/**
 * The archive an earlier attempt stored (its answer was lost), linked to the request if
 * that was lost too; null when it must be written (again).
 */
async function storedArchive(deps: ExportDeps, input: ExportInput): Promise<ExportResult | null> {
  const existing = await deps.orm.em.fork().findOne(Asset, { id: input.requestId });
  if (!existing || existing.status === 'pending') return null;
  if (existing.status !== 'stored') {
    throw ApplicationFailure.nonRetryable('the export was already deleted', 'ExportGone');
  }
  const sizeBytes = existing.sizeBytes ?? 0;
  await finishStep(
    deps.orm.em.fork(),
    { id: input.requestId },
    input.type,
    'archive',
    { sizeBytes },
    { resultAssetId: existing.id },
  );
  return {
    assetId: existing.id,
    objectKey: archiveKey(input),
    sizeBytes,
    sha256: existing.sha256 ?? '',
    deleteAt: existing.deleteAt!.toISOString(),
    entries: 0,
    videos: 0,
  };
}

interface WrittenArchive {
  sizeBytes: number;
  sha256: string;
  entries: number;
  videos: number;
}

/** One lazily opened entry at a time: its stream exists only while the archive writes it. */
type AddEntry = (
  name: string,
  open: () => Promise<Readable> | Readable,
  options?: { compress?: boolean },
) => void;

/** Streams every entry through the ZIP writer into a multipart upload; answers its size and hash. */
async function writeArchive(deps: ExportDeps, input: ExportInput): Promise<WrittenArchive> {
  const { orm, store } = deps;
  const objectKey = archiveKey(input);
  // The row exists before the first byte reaches the store (as for uploads): an
  // interrupted archive is never an unaccounted-for object.
  await orm.em.fork().upsert(
    Asset,
    {
      id: input.requestId,
      user: input.userId,
      kind: 'export',
      status: 'pending',
      objectKey,
      contentType: 'application/zip',
      createdAt: new Date(),
    },
    { onConflictFields: ['id'], onConflictAction: 'ignore' },
  );
  await abortUnfinishedUploads(store, objectKey);

  const generatedAt = new Date();
  const zip = zipStream(generatedAt);
  const upload = pooledUpload(store, {
    key: objectKey,
    contentType: 'application/zip',
    partBytes: EXPORT_PART_BYTES,
    partsInFlight: EXPORT_PARTS_IN_FLIGHT,
  });
  const uploaded = pipeline(zip.output, upload.input);
  uploaded.catch(() => undefined);

  const counts = addCategories(orm, input.userId, zip.add);
  const videos = input.type === 'portability' ? await addVideos(deps, input.userId, zip.add) : 0;
  const providers = await orm.em
    .fork()
    .execute<{ provider: string }[]>(
      'select distinct provider from data_recipients where user_id = ? order by provider',
      [input.userId],
    );
  // Last, so it can tell how many records each category had.
  zip.add('README.txt', () =>
    Readable.from([
      exportSummary({
        requestId: input.requestId,
        type: input.type,
        generatedAt,
        counts,
        providers: providers.map((p) => p.provider),
        videos,
      }),
    ]),
  );
  zip.end();
  await uploaded;
  return { sizeBytes: zip.progress.bytes, sha256: zip.sha256(), entries: zip.progress.entries, videos };
}

/** A ZIP writer whose output is hashed and counted, heartbeating its progress as it goes. */
function zipStream(generatedAt: Date) {
  const zip = new yazl.ZipFile();
  const hash = createHash('sha256');
  const progress: ExportProgress = { entries: 0, bytes: 0 };
  let lastBeat = 0;
  const output = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      progress.bytes += chunk.length;
      if (progress.bytes - lastBeat >= 1024 * 1024) {
        lastBeat = progress.bytes;
        heartbeat(progress);
      }
      done(null, chunk);
    },
  });
  const fail = (err: unknown) => output.destroy(err instanceof Error ? err : new Error(String(err)));
  zip.on('error', fail);
  zip.outputStream.on('error', fail);
  zip.outputStream.pipe(output);
  const add: AddEntry = (name, open, options = {}) => {
    // The entries' time is the export's own, so every retry writes the same archive layout.
    zip.addReadStreamLazy(name, { mtime: generatedAt, compress: options.compress ?? true }, (cb) => {
      Promise.resolve()
        .then(open)
        .then((stream) => {
          stream.on('error', fail);
          stream.on('end', () => {
            progress.entries++;
            heartbeat(progress);
          });
          cb(null, stream);
        })
        .catch(fail);
    });
  };
  return { add, output, progress, end: () => zip.end(), sha256: () => hash.digest('hex') };
}

/** Every category as JSON and CSV; answers the records counted per category as they are written. */
function addCategories(orm: MikroORM, userId: string, add: AddEntry): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const category of EXPORT_CATEGORIES) {
    counts[category.name] = 0;
    // A fresh entity manager per entry: the pages never build up in an identity map.
    add(`data/${category.name}.json`, () =>
      Readable.from(
        batched(jsonChunks(categoryRows(orm.em.fork(), category, userId), () => counts[category.name]!++)),
      ),
    );
    add(`data/${category.name}.csv`, () =>
      Readable.from(batched(csvChunks(columnNames(category), categoryRows(orm.em.fork(), category, userId)))),
    );
  }
  return counts;
}

/** Videos are stored, not deflated (already compressed), page by page of asset rows. */
async function addVideos(deps: ExportDeps, userId: string, add: AddEntry): Promise<number> {
  const { orm, store } = deps;
  let videos = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await orm.em.fork().execute<{ id: string; object_key: string }[]>(
      `select id, object_key from assets
        where user_id = ? and kind = 'output' and status = 'stored' and id > ?
        order by id limit ?`,
      [userId, after, EXPORT_PAGE_ROWS],
    );
    for (const asset of page) {
      videos++;
      add(
        `videos/${asset.id}.mp4`,
        async () => {
          const got = await store.client.send(
            new GetObjectCommand({ Bucket: store.bucket, Key: asset.object_key }),
          );
          return got.Body as Readable;
        },
        { compress: false },
      );
    }
    after = page.at(-1)?.id ?? after;
    if (page.length < EXPORT_PAGE_ROWS) return videos;
  }
}

/**
 * The archive is stored: its asset row says so (with its own deletion time), and the
 * request points at it, its archive step done with the archive's figures.
 */
async function recordArchive(
  deps: ExportDeps,
  input: ExportInput,
  archive: WrittenArchive,
): Promise<ExportResult> {
  const { orm, store, config } = deps;
  const objectKey = archiveKey(input);
  const head = await headObject(store, objectKey);
  if (!head) throw new Error('the export archive is missing right after its upload');
  const storedAt = new Date();
  const deleteAt = assetDeleteAt('export', storedAt, config.durations.retentionMs);
  const stored = await orm.em
    .fork()
    .nativeUpdate(
      Asset,
      { id: input.requestId, status: 'pending' },
      { status: 'stored', sizeBytes: archive.sizeBytes, sha256: archive.sha256, storedAt, deleteAt },
    );
  if (stored === 0) {
    // Deleted while it was written (the account is being deleted): nothing may stay.
    await deleteObjectQuietly(store, objectKey);
    throw ApplicationFailure.nonRetryable('the export was deleted while it was written', 'ExportGone');
  }
  const counts = { sizeBytes: archive.sizeBytes, entries: archive.entries, videos: archive.videos };
  await finishStep(orm.em.fork(), { id: input.requestId }, input.type, 'archive', counts, {
    resultAssetId: input.requestId,
  });
  return { assetId: input.requestId, objectKey, ...archive, deleteAt: deleteAt.toISOString() };
}
