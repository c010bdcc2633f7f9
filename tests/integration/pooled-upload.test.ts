// Writing into object storage through a few reused part buffers (platform/pooled-upload.ts,
// the export archive's writer, D-PORT): the stored object is exactly the bytes written,
// whatever their chunking, although each buffer carries several parts; an object smaller
// than a part is one PutObject; a write that fails leaves no unfinished upload behind and
// no object, and a store that refuses the upload fails the write instead of hanging it.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { pooledUpload } from '../../platform/pooled-upload.ts';
import { createObjectStore, type ObjectStore } from '../../platform/s3.ts';

/** S3's smallest part but the last. */
const PART = 5 * 1024 * 1024;
let store: ObjectStore;

beforeAll(() => {
  store = createObjectStore(loadConfig(inject('stackEnv')).s3);
});
afterAll(() => store.client.destroy());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Once the stream asks for more, or has closed (a failed one never drains). */
const drained = (input: Writable) =>
  new Promise<void>((resolve) => {
    const done = () => {
      input.off('drain', done);
      input.off('close', done);
      resolve();
    };
    input.on('drain', done);
    input.on('close', done);
  });

/** Writes `bytes` in chunks of uneven sizes (1 byte to 1 MiB), waiting when the stream asks. */
async function writeInChunks(input: Writable, bytes: Buffer): Promise<void> {
  const sizes = [1, 7, 65_536, 1_048_576, 333_333, 4096];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    if (input.destroyed) return;
    const end = Math.min(bytes.length, offset + sizes[i % sizes.length]!);
    if (!input.write(bytes.subarray(offset, end))) await drained(input);
    offset = end;
  }
  input.end();
}

async function stored(key: string): Promise<{ bytes: Buffer; etag: string; encryption?: string }> {
  const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
  return {
    bytes: Buffer.from(await got.Body!.transformToByteArray()),
    etag: got.ETag ?? '',
    encryption: got.ServerSideEncryption,
  };
}

async function unfinishedUploads(key: string): Promise<number> {
  const listed = await store.client.send(
    new ListMultipartUploadsCommand({ Bucket: store.bucket, Prefix: key }),
  );
  return (listed.Uploads ?? []).filter((u) => u.Key === key).length;
}

describe('pooled multipart upload', () => {
  it('[D-PORT] stores the bytes written, in order, in parts that reuse three buffers', async () => {
    const key = `tests/pooled/${randomUUID()}`;
    // Five parts through three buffers: parts 4 and 5 are filled in buffers already sent.
    const bytes = randomBytes(4 * PART + 17);
    const upload = pooledUpload(store, { key, contentType: 'video/mp4', partBytes: PART, partsInFlight: 2 });
    await writeInChunks(upload.input, bytes);
    await upload.done;
    const object = await stored(key);
    expect(object.bytes.length).toBe(bytes.length);
    expect(sha256(object.bytes)).toBe(sha256(bytes));
    expect(upload.buffersAllocated()).toBe(3);
    // A multipart object's ETag names its part count.
    expect(object.etag).toMatch(/-5"$/);
    expect(object.encryption).toBe(store.serverSideEncryption);
    expect(await unfinishedUploads(key)).toBe(0);
  });

  it('[D-PORT] stores an object smaller than one part, and an empty one, with one PutObject', async () => {
    for (const size of [1000, 0]) {
      const key = `tests/pooled/${randomUUID()}`;
      const bytes = randomBytes(size);
      const upload = pooledUpload(store, {
        key,
        contentType: 'text/plain',
        partBytes: PART,
        partsInFlight: 2,
      });
      await writeInChunks(upload.input, bytes);
      await upload.done;
      const object = await stored(key);
      expect(sha256(object.bytes)).toBe(sha256(bytes));
      expect(object.etag).not.toContain('-');
      expect(upload.buffersAllocated()).toBe(size > 0 ? 1 : 0);
    }
  });

  it('[D-PORT] a write that fails midway aborts its multipart upload: no parts and no object remain', async () => {
    const key = `tests/pooled/${randomUUID()}`;
    const upload = pooledUpload(store, { key, contentType: 'video/mp4', partBytes: PART, partsInFlight: 2 });
    const bytes = randomBytes(2 * PART + 100);
    for (let offset = 0; offset < bytes.length; offset += 65_536) {
      if (!upload.input.write(bytes.subarray(offset, offset + 65_536))) await drained(upload.input);
    }
    // Two parts sent or under way: the upload exists in the store.
    await expect.poll(() => unfinishedUploads(key), { timeout: 20_000 }).toBe(1);
    upload.input.destroy(new Error('the source failed'));
    await expect(upload.done).rejects.toThrow('the source failed');
    expect(await unfinishedUploads(key)).toBe(0);
    const head = store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    await expect(head).rejects.toBeInstanceOf(S3ServiceException);
  });

  it('[D-PORT] a store that refuses the upload fails the write instead of leaving it waiting', async () => {
    const refusing = { ...store, bucket: `no-such-bucket-${randomUUID().slice(0, 8)}` };
    const upload = pooledUpload(refusing, {
      key: 'tests/pooled/refused',
      contentType: 'video/mp4',
      partBytes: PART,
      partsInFlight: 2,
    });
    const written = writeInChunks(upload.input, randomBytes(4 * PART));
    await expect(upload.done).rejects.toThrow(/bucket/i);
    await written;
    expect(upload.input.destroyed).toBe(true);
  });
});
