// Object-store operations on assets, shared by both sides: multipart uploads, an
// existence check, deletion that proves the object is gone, presigned downloads, and the
// clean-up of a crashed attempt's unfinished multipart upload.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UPLOAD_PARTS_IN_FLIGHT, UPLOAD_PART_BYTES } from '../domain/retention.ts';
import type { ObjectStore } from './s3.ts';

export interface ObjectHead {
  sizeBytes: number | null;
  lastModified: Date | null;
  serverSideEncryption: string | null;
}

/** Writes the body in parts, a few at a time, encrypted as the store asks. */
export async function uploadObject(
  store: ObjectStore,
  key: string,
  body: Readable,
  contentType: string,
): Promise<void> {
  await new Upload({
    client: store.client,
    params: {
      Bucket: store.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ServerSideEncryption: store.serverSideEncryption,
    },
    partSize: UPLOAD_PART_BYTES,
    queueSize: UPLOAD_PARTS_IN_FLIGHT,
  }).done();
}

export async function uploadFile(
  store: ObjectStore,
  key: string,
  file: string,
  contentType: string,
): Promise<void> {
  await uploadObject(store, key, createReadStream(file), contentType);
}

/** The store answered that the object is not there (not that it failed). */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 404 || err.name === 'NotFound' || err.name === 'NoSuchKey')
  );
}

/** The object's metadata, or null when the store answers 404 for it. */
export async function headObject(store: ObjectStore, key: string): Promise<ObjectHead | null> {
  try {
    const head = await store.client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: key }));
    return {
      sizeBytes: head.ContentLength ?? null,
      lastModified: head.LastModified ?? null,
      serverSideEncryption: head.ServerSideEncryption ?? null,
    };
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
}

export const VERIFICATION_METHOD = 'HeadObject: 404 Not Found';

export interface VerifiedDeletion {
  /** What the store had before the delete; null when the object was already gone. */
  before: ObjectHead | null;
  deletedAt: Date;
  verifiedAt: Date;
  verification: string;
}

/**
 * The store did not delete an object, or could not show it gone: the store's failure (it
 * is down, refused the request, or still answers for the object), for a retry once it
 * answers. Callers that must not wait for the store tell it from a database failure.
 */
export class ObjectNotDeleted extends Error {
  constructor(key: string, cause?: unknown) {
    super(
      `the store did not delete ${key}: ${cause instanceof Error ? cause.message : 'it still answers for it'}`,
      { cause },
    );
    this.name = 'ObjectNotDeleted';
  }
}

/**
 * Deletes an object and checks with HEAD that the store no longer has it. Idempotent:
 * deleting an absent object succeeds. A store that fails, or still answers for the object
 * after the delete, throws `ObjectNotDeleted`, so the caller's retry policy tries again.
 */
export async function deleteObjectVerified(store: ObjectStore, key: string): Promise<VerifiedDeletion> {
  try {
    const before = await headObject(store, key);
    await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key }));
    const deletedAt = new Date();
    const after = await headObject(store, key);
    if (after) throw new ObjectNotDeleted(key);
    return { before, deletedAt, verifiedAt: new Date(), verification: VERIFICATION_METHOD };
  } catch (err) {
    throw err instanceof ObjectNotDeleted ? err : new ObjectNotDeleted(key, err);
  }
}

/** The most keys one DeleteObjects request may name (S3's limit). */
const MAX_KEYS_PER_DELETE = 1000;

/**
 * deleteObjectVerified for many objects, with one DeleteObjects request where each would
 * take a DELETE (at most 1,000 keys, the store's limit): each object is looked at before,
 * and checked gone after, on its own. Answers in the keys' order; an object the store
 * would not delete, or still answers for, fails alone, and the rest stand.
 */
export async function deleteObjectsVerified(
  store: ObjectStore,
  keys: string[],
): Promise<PromiseSettledResult<VerifiedDeletion>[]> {
  if (keys.length > MAX_KEYS_PER_DELETE) throw new Error(`at most ${MAX_KEYS_PER_DELETE} objects a request`);
  const before = await Promise.allSettled(keys.map((key) => headObject(store, key)));
  const looked = keys.filter((_, i) => before[i]!.status === 'fulfilled');
  const refused = new Map<string, string>();
  let deletedAt = new Date();
  if (looked.length > 0) {
    const answer = await store.client.send(
      new DeleteObjectsCommand({
        Bucket: store.bucket,
        Delete: { Objects: looked.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    deletedAt = new Date();
    for (const e of answer.Errors ?? [])
      if (e.Key) refused.set(e.Key, `${e.Code ?? 'error'}: ${e.Message ?? ''}`);
  }
  return Promise.allSettled(
    keys.map(async (key, i) => {
      const head = before[i]!;
      if (head.status === 'rejected') throw head.reason;
      const why = refused.get(key);
      if (why) throw new Error(`the store did not delete object ${key}: ${why}`);
      if (await headObject(store, key)) throw new Error(`object ${key} still present after delete`);
      return { before: head.value, deletedAt, verifiedAt: new Date(), verification: VERIFICATION_METHOD };
    }),
  );
}

/** Best effort, for cleaning up after a failed upload: never throws. */
export async function deleteObjectQuietly(store: ObjectStore, key: string): Promise<void> {
  try {
    await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: key }));
  } catch {
    // The orphan sweep removes whatever is left.
  }
}

/** A GET URL that works for `expiresInSeconds`, served as an attachment. */
export async function presignDownload(
  store: ObjectStore,
  key: string,
  expiresInSeconds: number,
): Promise<string> {
  return getSignedUrl(
    store.signer,
    new GetObjectCommand({ Bucket: store.bucket, Key: key, ResponseContentDisposition: 'attachment' }),
    { expiresIn: expiresInSeconds },
  );
}

/**
 * Aborts the unfinished multipart uploads of a key (a killed attempt's), so a retry that
 * writes the object again leaves no part behind. Returns how many it aborted.
 */
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
