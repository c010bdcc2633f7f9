// One side of bench/export.ts, in a fresh process of its own so its memory is its own:
// either the export of a person's data as one archive (the activity, called as the
// worker calls it), or the baseline, a plain streamed copy of the same videos into one
// multipart upload written the same way (platform/pooled-upload.ts, the same part size and
// parts in flight), without ZIP or hashing.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../../config/index.ts';
import { createClients } from '../../platform/clients.ts';
import { pooledUpload } from '../../platform/pooled-upload.ts';
import { createLogger } from '../../platform/logger.ts';
import { serveParent } from './child.ts';
import { createExportActivities, EXPORT_PART_BYTES, EXPORT_PARTS_IN_FLIGHT } from './export-subject.ts';
import { memoryOf, now } from './figures.ts';

export type ExportTask =
  { run: 'copy'; keys: string[] } | { run: 'export'; requestId: string; userId: string };
export interface ExportRun {
  bytes: number;
  ms: number;
  entries?: number;
  videos?: number;
}

const config = loadConfig(process.env);
const clients = await createClients(config, createLogger({ level: 'warn', name: 'bench-export' }));
const { store } = clients;
// Settled, so the idle figure is the process as it waits for work.
await new Promise((resolve) => setTimeout(resolve, 1000));

async function copy(keys: string[]): Promise<ExportRun> {
  const copyKey = `bench/copy-${randomUUID()}`;
  const started = now();
  const upload = pooledUpload(store, {
    key: copyKey,
    contentType: 'video/mp4',
    partBytes: EXPORT_PART_BYTES,
    partsInFlight: EXPORT_PARTS_IN_FLIGHT,
  });
  const body = upload.input;
  let bytes = 0;
  for (const key of keys) {
    const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
    for await (const chunk of got.Body as Readable) {
      bytes += (chunk as Buffer).length;
      if (!body.write(chunk)) await new Promise((resolve) => body.once('drain', resolve));
    }
  }
  body.end();
  await upload.done;
  const ms = now() - started;
  await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: copyKey }));
  return { bytes, ms };
}

async function exportArchive(requestId: string, userId: string): Promise<ExportRun> {
  const started = now();
  const result = await createExportActivities(clients).buildExportArchive({
    requestId,
    userId,
    type: 'portability',
  });
  return { bytes: result.sizeBytes, ms: now() - started, entries: result.entries, videos: result.videos };
}

serveParent(
  { idleRssMiB: (await memoryOf('self'))!.rssMiB },
  () => clients.close(),
  (request) => {
    const task = request as unknown as ExportTask;
    return task.run === 'copy' ? copy(task.keys) : exportArchive(task.requestId, task.userId);
  },
);
