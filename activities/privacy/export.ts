// The data export (D-ACCESS, D-PORT): every category of the person's data as JSON and
// CSV, a readable summary and (portability) the videos still stored, written as ONE ZIP
// archive streamed straight into object storage. Memory stays flat whatever the size:
// rows are read in pages, objects are streamed from S3 through the zip stream into a
// multipart upload that holds at most a few parts. The archive's key and asset id are
// the request's, so there is only ever one archive per request; a retry after a crash
// aborts the unfinished upload and writes the archive again (a ZIP's central directory
// depends on every byte before it, so an interrupted archive cannot be continued).
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import yazl from 'yazl';
import type { Config } from '../../config/index.ts';
import { Asset, PrivacyRequest } from '../../db/entities/index.ts';
import { EXPORT_PAGE_ROWS, EXPORT_PART_BYTES, EXPORT_PARTS_IN_FLIGHT } from '../../domain/privacy.ts';
import { assetDeleteAt, assetObjectKey } from '../../domain/retention.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { deleteObjectQuietly, headObject } from '../../platform/objects.ts';
import { EXPORT_CATEGORIES, exportSummary, type ExportCategory } from './categories.ts';

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

type Row = Record<string, unknown>;

const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}$/;

/** Rows of one category for one person, page by page (keyset paging, never OFFSET). */
export async function* categoryRows(
  em: EntityManager,
  category: ExportCategory,
  userId: string,
  pageRows = EXPORT_PAGE_ROWS,
): AsyncGenerator<Row> {
  let after = category.keyStart;
  const placeholders = (category.where.match(/\?/g) ?? []).length;
  for (;;) {
    const rows = await em.execute<(Row & { __key: string })[]>(
      `select ${category.columns.join(', ')}, ${category.key}::text as "__key"
         from ${category.table}
        where (${category.where}) and ${category.key} > ?
        order by ${category.key} limit ?`,
      [...Array.from({ length: placeholders }, () => userId), after, pageRows],
    );
    for (const row of rows) {
      const { __key, ...rest } = row;
      after = __key;
      for (const [k, v] of Object.entries(rest)) {
        // Raw rows carry timestamps as PostgreSQL text; the export speaks ISO 8601 (UTC).
        if (typeof v === 'string' && PG_TIMESTAMP.test(v))
          rest[k] = new Date(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();
      }
      yield rest;
    }
    if (rows.length < pageRows) return;
  }
}

const plain = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

/** The rows as one JSON array, written as the rows arrive. */
export async function* jsonChunks(rows: AsyncIterable<Row>, onRow?: () => void): AsyncGenerator<string> {
  yield '[';
  let first = true;
  for await (const row of rows) {
    onRow?.();
    yield `${first ? '\n' : ',\n'}  ${JSON.stringify(row, (_k, v: unknown) => plain(v))}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}

/**
 * One CSV cell (RFC 4180): quoted when needed; objects as JSON. A text cell that a
 * spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
 * apostrophe (OWASP's CSV injection advice): a prompt is data, never a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else if (typeof value === 'string') text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function columnNames(category: ExportCategory): string[] {
  return category.columns.map((c) => /as "([^"]+)"$/.exec(c)![1]!);
}

export async function* csvChunks(columns: string[], rows: AsyncIterable<Row>): AsyncGenerator<string> {
  yield `${columns.map(csvCell).join(',')}\r\n`;
  for await (const row of rows) yield `${columns.map((c) => csvCell(row[c])).join(',')}\r\n`;
}

/** Aborts unfinished multipart uploads of a key (a crashed attempt's), so no part is left behind. */
export async function abortUnfinishedUploads(store: ObjectStore, key: string): Promise<number> {
  const listed = await store.client.send(
    new ListMultipartUploadsCommand({ Bucket: store.bucket, Prefix: key }),
  );
  let aborted = 0;
  for (const upload of listed.Uploads ?? []) {
    if (upload.Key !== key || !upload.UploadId) continue;
    await store.client.send(
      new AbortMultipartUploadCommand({ Bucket: store.bucket, Key: key, UploadId: upload.UploadId }),
    );
    aborted++;
  }
  return aborted;
}

function heartbeat(details: unknown): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Called outside an activity (the benchmark, tests): nobody to report to.
  }
}

/** The ZIP entries' time: the export's own, so every retry writes the same archive layout. */
const ZIP_MTIME = (at: Date) => ({ mtime: at });

export function createExportActivities(deps: { orm: MikroORM; store: ObjectStore; config: Config }) {
  const { orm, store, config } = deps;

  return {
    /**
     * Writes the archive and records it as an asset of kind `export` (its own short
     * retention, RETENTION_POLICY.export). Idempotent by request id: a stored archive is
     * returned as it is; an unfinished one is started again from the beginning.
     */
    async buildExportArchive(input: ExportInput): Promise<ExportResult> {
      const em = orm.em.fork();
      const request = await em.findOne(PrivacyRequest, { id: input.requestId });
      if (!request) throw ApplicationFailure.nonRetryable(`no request ${input.requestId}`, 'RequestNotFound');
      // The request id names the archive: one object and one asset row per request.
      const assetId = input.requestId;
      const objectKey = assetObjectKey(input.userId, 'export', assetId);
      const existing = await em.findOne(Asset, { id: assetId });
      if (existing && existing.status !== 'pending') {
        if (existing.status !== 'stored') {
          throw ApplicationFailure.nonRetryable('the export was already deleted', 'ExportGone');
        }
        return {
          assetId,
          objectKey,
          sizeBytes: existing.sizeBytes ?? 0,
          sha256: existing.sha256 ?? '',
          deleteAt: existing.deleteAt!.toISOString(),
          entries: 0,
          videos: 0,
        };
      }
      // The row exists before the first byte reaches the store (as for uploads): an
      // interrupted archive is never an unaccounted-for object.
      await em.upsert(
        Asset,
        {
          id: assetId,
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
      const zip = new yazl.ZipFile();
      const hash = createHash('sha256');
      const progress: ExportProgress = { entries: 0, bytes: 0 };
      let lastBeat = 0;
      const counted = new Transform({
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
      const fail = (err: unknown) => counted.destroy(err instanceof Error ? err : new Error(String(err)));
      zip.on('error', fail);
      zip.outputStream.on('error', fail);
      zip.outputStream.pipe(counted);
      /** A lazily opened entry: its stream exists only while the archive writes it. */
      const addStream = (
        name: string,
        open: () => Promise<Readable> | Readable,
        options: { compress?: boolean } = {},
      ) => {
        zip.addReadStreamLazy(
          name,
          { ...ZIP_MTIME(generatedAt), compress: options.compress ?? true },
          (cb) => {
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
          },
        );
      };

      const counts: Record<string, number> = {};
      for (const category of EXPORT_CATEGORIES) {
        counts[category.name] = 0;
        // A fresh entity manager per entry: the pages never build up in an identity map.
        addStream(`data/${category.name}.json`, () =>
          Readable.from(
            jsonChunks(categoryRows(orm.em.fork(), category, input.userId), () => counts[category.name]!++),
          ),
        );
        addStream(`data/${category.name}.csv`, () =>
          Readable.from(
            csvChunks(columnNames(category), categoryRows(orm.em.fork(), category, input.userId)),
          ),
        );
      }

      const upload = new Upload({
        client: store.client,
        params: {
          Bucket: store.bucket,
          Key: objectKey,
          Body: counted,
          ContentType: 'application/zip',
          ServerSideEncryption: store.serverSideEncryption,
        },
        partSize: EXPORT_PART_BYTES,
        queueSize: EXPORT_PARTS_IN_FLIGHT,
      });
      const uploaded = upload.done();
      uploaded.catch(() => undefined);

      // Videos are stored, not deflated (already compressed), page by page of asset rows.
      let videos = 0;
      if (input.type === 'portability') {
        let after = '00000000-0000-0000-0000-000000000000';
        for (;;) {
          const page = await orm.em.fork().execute<{ id: string; object_key: string }[]>(
            `select id, object_key from assets
              where user_id = ? and kind = 'output' and status = 'stored' and id > ?
              order by id limit ?`,
            [input.userId, after, EXPORT_PAGE_ROWS],
          );
          for (const asset of page) {
            videos++;
            addStream(
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
          if (page.length < EXPORT_PAGE_ROWS) break;
        }
      }
      const providers = await orm.em
        .fork()
        .execute<{ provider: string }[]>(
          'select distinct provider from data_recipients where user_id = ? order by provider',
          [input.userId],
        );
      // Last, so it can tell how many records each category had.
      addStream('README.txt', () =>
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

      const head = await headObject(store, objectKey);
      if (!head) throw new Error('the export archive is missing right after its upload');
      const storedAt = new Date();
      const deleteAt = assetDeleteAt('export', storedAt, config.durations.retentionMs);
      const sha256 = hash.digest('hex');
      const stored = await orm.em
        .fork()
        .nativeUpdate(
          Asset,
          { id: assetId, status: 'pending' },
          { status: 'stored', sizeBytes: progress.bytes, sha256, storedAt, deleteAt },
        );
      if (stored === 0) {
        // Deleted while it was written (the account is being deleted): nothing may stay.
        await deleteObjectQuietly(store, objectKey);
        throw ApplicationFailure.nonRetryable('the export was deleted while it was written', 'ExportGone');
      }
      await orm.em.fork().nativeUpdate(PrivacyRequest, { id: input.requestId }, { resultAssetId: assetId });
      return {
        assetId,
        objectKey,
        sizeBytes: progress.bytes,
        sha256,
        deleteAt: deleteAt.toISOString(),
        entries: progress.entries,
        videos,
      };
    },
  };
}
