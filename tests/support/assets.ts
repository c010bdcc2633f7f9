// Stored files for tests: real media made with ffmpeg, multipart uploads through the
// API as a browser sends them, outputs stored the way the generation workflow stores
// them, and waits on the asset rows and objects.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Asset } from '../../db/entities/index.ts';
import { assetDeleteAt, assetObjectKey, type AssetKind } from '../../domain/retention.ts';
import { startRetention } from '../../clients/retention.ts';
import { headObject } from '../../platform/objects.ts';
import type { TestClient } from './client.ts';
import type { TestPlatform } from './platform.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const ffmpegPath = () => (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;

export type MediaFixture =
  'jpg' | 'png' | 'webp' | 'mp4' | 'webm' | 'mov' | 'mp3' | 'wav' | 'ogg' | 'm4a' | 'gif';

const made = new Map<MediaFixture, Promise<Buffer>>();

/** A small, real file of the given format, made once per test process and kept in memory only. */
export function media(format: MediaFixture): Promise<Buffer> {
  let file = made.get(format);
  if (!file) {
    file = (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-media-'));
      try {
        const out = path.join(dir, `fixture.${format}`);
        const image = ['jpg', 'png', 'webp', 'gif'].includes(format);
        const audio = ['mp3', 'wav', 'ogg', 'm4a'].includes(format);
        const input = image
          ? ['-f', 'lavfi', '-i', 'color=c=red:s=16x16', '-frames:v', '1']
          : audio
            ? ['-f', 'lavfi', '-i', 'sine=d=0.3', '-t', '0.3']
            : ['-f', 'lavfi', '-i', 'testsrc=s=64x64:d=0.3', '-t', '0.3'];
        await run(ffmpegPath(), ['-y', '-loglevel', 'error', ...input, out]);
        return await readFile(out);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    })();
    made.set(format, file);
  }
  return file;
}

/** Uploads bytes as one multipart file field, the way a browser form does. */
export async function uploadBytes(
  platform: TestPlatform,
  client: TestClient,
  bytes: Uint8Array,
  options: { filename?: string; declaredType?: string; field?: string } = {},
): Promise<Response> {
  const form = new FormData();
  form.append(
    options.field ?? 'file',
    new Blob([bytes], { type: options.declaredType ?? 'application/octet-stream' }),
    options.filename ?? 'upload.bin',
  );
  const headers: Record<string, string> = { 'x-forwarded-for': client.ip };
  if (client.cookies.size) headers.cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  if (client.csrfToken) headers['x-csrf-token'] = client.csrfToken;
  return fetch(`${platform.api.url}/api/assets`, { method: 'POST', headers, body: form });
}

/**
 * Stores an object and its row the way the generation workflow stores an output, and
 * starts its retention through the shared helper.
 */
export async function storeAsset(
  platform: TestPlatform,
  userId: string,
  options: {
    kind?: AssetKind;
    bytes?: Buffer;
    storedAt?: Date;
    /** Instead of the policy's time from `storedAt`. */
    deleteAt?: Date;
    /** False: no retention workflow, as when its start was lost. */
    retention?: boolean;
  } = {},
): Promise<Asset> {
  const kind = options.kind ?? 'output';
  const bytes = options.bytes ?? (await media('mp4'));
  const id = randomUUID();
  const objectKey = assetObjectKey(userId, kind, id);
  const { store } = platform.clients;
  await store.client.send(
    new PutObjectCommand({
      Bucket: store.bucket,
      Key: objectKey,
      Body: bytes,
      ContentType: 'video/mp4',
      ServerSideEncryption: store.serverSideEncryption,
    }),
  );
  const storedAt = options.storedAt ?? new Date();
  const em = platform.clients.orm.em.fork();
  const asset = em.create(Asset, {
    id,
    user: userId,
    kind,
    status: 'stored',
    objectKey,
    contentType: 'video/mp4',
    sizeBytes: bytes.length,
    createdAt: storedAt,
    storedAt,
    deleteAt: options.deleteAt ?? assetDeleteAt(kind, storedAt, platform.config.durations.retentionMs),
  });
  await em.flush();
  if (options.retention !== false) await startRetention(platform.clients.temporal.client, asset);
  return asset;
}

/** Milliseconds of a protobuf Timestamp or Duration ({ seconds, nanos }). */
function protoMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
}

/**
 * When an asset's retention workflow has its first task: the time its start event was
 * written plus the start delay it was given (clients/retention.ts). A started workflow
 * answers this at once, long before it runs any code.
 */
export async function retentionFirstTaskAt(platform: TestPlatform, assetId: string): Promise<Date> {
  const history = await platform.clients.temporal.client.workflow
    .getHandle(`retention-${assetId}`)
    .fetchHistory();
  const started = history.events?.[0];
  const delay = started?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff;
  return new Date(protoMs(started?.eventTime) + protoMs(delay));
}

/** Resolves once the asset's retention workflow is registered with Temporal (started). */
export function retentionStarted(platform: TestPlatform, assetId: string): Promise<unknown> {
  return eventually(
    () =>
      platform.clients.temporal.client.workflow
        .getHandle(`retention-${assetId}`)
        .describe()
        .catch(() => undefined),
    20_000,
    `retention-${assetId} started`,
  );
}

export function loadAsset(platform: TestPlatform, id: string): Promise<Asset | null> {
  return platform.clients.orm.em.fork().findOne(Asset, { id });
}

export async function objectExists(platform: TestPlatform, key: string): Promise<boolean> {
  return (await headObject(platform.clients.store, key)) !== null;
}

export async function objectEncryption(platform: TestPlatform, key: string): Promise<string | undefined> {
  const { store } = platform.clients;
  const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
  return head.ServerSideEncryption;
}

/** Every object and every unfinished multipart upload under a prefix. */
export async function objectsUnder(
  platform: TestPlatform,
  prefix: string,
): Promise<{ keys: string[]; multipart: number }> {
  const { store } = platform.clients;
  const list = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: prefix }));
  const uploads = await store.client.send(
    new ListMultipartUploadsCommand({ Bucket: store.bucket, Prefix: prefix }),
  );
  return {
    keys: (list.Contents ?? []).map((o) => o.Key!),
    multipart: (uploads.Uploads ?? []).length,
  };
}

/** Polls until the asset row says deleted; returns it. */
export async function waitForDeleted(platform: TestPlatform, id: string, timeoutMs = 30_000): Promise<Asset> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const asset = await loadAsset(platform, id);
    if (asset?.status === 'deleted') return asset;
    if (Date.now() > deadline)
      throw new Error(`asset ${id} not deleted within ${timeoutMs} ms (status ${asset?.status})`);
    await sleep(100);
  }
}

/** Polls a condition until it holds or the time is up. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(100);
  }
}
