// A stream written into object storage as a multipart upload whose parts are copied into
// a fixed set of buffers, reused from part to part. `@aws-sdk/lib-storage`'s Upload
// allocates every part anew (8 MiB each, 128 for a gigabyte), and V8 frees such memory
// only once it has grown by its external-memory step (64 MiB) since its last collection:
// an export of 1 GiB peaked at 292 MiB with it, most of the difference garbage parts
// (bench/README.md). Here at most `partsInFlight + 1` part buffers ever exist.
import { Writable, finished } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CompletedPart,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ObjectStore } from './s3.ts';

export interface PooledUploadOptions {
  key: string;
  contentType: string;
  /** Every part but the last is this size (S3's minimum is 5 MiB). */
  partBytes: number;
  /** Parts sent at once; one more buffer is filled meanwhile. */
  partsInFlight: number;
}

export interface PooledUpload {
  /** Write the object's bytes here and end it; destroying it aborts the upload. */
  input: Writable;
  /** Settles once the object is stored (or the upload failed and was aborted). */
  done: Promise<void>;
  /** Part buffers allocated so far: never more than `partsInFlight + 1`. */
  buffersAllocated: () => number;
}

/** The parts of one upload: their buffers, the ones in flight, and the store's upload. */
class Parts {
  readonly #store: ObjectStore;
  readonly #options: PooledUploadOptions;
  readonly #target: { Bucket: string; Key: string };
  readonly #free: Buffer[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #sent: CompletedPart[] = [];
  #uploadId: Promise<string> | null = null;
  #partNumber = 0;
  #completed = false;
  allocated = 0;
  failure: Error | null = null;

  constructor(store: ObjectStore, options: PooledUploadOptions) {
    this.#store = store;
    this.#options = options;
    this.#target = { Bucket: store.bucket, Key: options.key };
  }

  get started(): boolean {
    return this.#uploadId !== null;
  }

  /** A buffer to fill: a free one, a new one while fewer than the pool exist, or the next freed. */
  async take(): Promise<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const buffer = this.#free.pop();
      if (buffer) return buffer;
      if (this.allocated < this.#options.partsInFlight + 1) {
        this.allocated++;
        return Buffer.allocUnsafe(this.#options.partBytes);
      }
      await Promise.race(this.#inFlight);
    }
  }

  /** Sends `length` bytes of `buffer` as the next part; the buffer is free again once it is stored. */
  send(buffer: Buffer, length: number): void {
    const PartNumber = ++this.#partNumber;
    this.#uploadId ??= this.#create();
    const sent = this.#uploadId
      .then((UploadId) =>
        this.#store.client.send(
          new UploadPartCommand({ ...this.#target, UploadId, PartNumber, Body: buffer.subarray(0, length) }),
        ),
      )
      .then((answer) => {
        if (!answer.ETag) throw new Error(`no ETag for part ${PartNumber} of ${this.#options.key}`);
        const { ETag, ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 } = answer;
        this.#sent.push({ PartNumber, ETag, ChecksumCRC32, ChecksumCRC32C, ChecksumSHA1, ChecksumSHA256 });
        // The client has sent the whole body by the time it answers: the buffer is free.
        this.#free.push(buffer);
      })
      .catch((err: unknown) => {
        this.failure ??= err instanceof Error ? err : new Error(String(err));
      })
      .finally(() => this.#inFlight.delete(sent));
    this.#inFlight.add(sent);
  }

  /** The whole object in one request: it never needed a second part. */
  async putWhole(body: Buffer): Promise<void> {
    await this.#store.client.send(
      new PutObjectCommand({
        ...this.#target,
        Body: body,
        ContentType: this.#options.contentType,
        ServerSideEncryption: this.#store.serverSideEncryption,
      }),
    );
    this.#completed = true;
  }

  /** Once every part is stored, joins them into the object, in order. */
  async complete(): Promise<void> {
    await this.#settled();
    if (this.failure) throw this.failure;
    const Parts = this.#sent.sort((a, b) => a.PartNumber! - b.PartNumber!);
    await this.#store.client.send(
      new CompleteMultipartUploadCommand({
        ...this.#target,
        UploadId: await this.#uploadId!,
        MultipartUpload: { Parts },
      }),
    );
    this.#completed = true;
  }

  /** An upload left unfinished is aborted (a failed abort is left to abortUnfinishedUploads). */
  async abort(): Promise<void> {
    if (this.#completed || !this.#uploadId) return;
    const UploadId = await this.#uploadId.catch(() => null);
    await this.#settled();
    if (UploadId) {
      await this.#store.client.send(new AbortMultipartUploadCommand({ ...this.#target, UploadId }));
    }
  }

  async #settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  async #create(): Promise<string> {
    const checksums = await this.#store.client.config.requestChecksumCalculation();
    const created = await this.#store.client.send(
      new CreateMultipartUploadCommand({
        ...this.#target,
        ContentType: this.#options.contentType,
        ServerSideEncryption: this.#store.serverSideEncryption,
        // As lib-storage does: the client checksums each part, so the upload says which.
        ...(checksums === 'WHEN_SUPPORTED' && { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 }),
      }),
    );
    if (!created.UploadId) throw new Error(`no upload id for ${this.#options.key}`);
    return created.UploadId;
  }
}

/**
 * An object no larger than one part is stored with one PutObject; a larger one as a
 * multipart upload, its parts in order, checksummed as the client's configuration asks.
 */
export function pooledUpload(store: ObjectStore, options: PooledUploadOptions): PooledUpload {
  const parts = new Parts(store, options);
  let current: Buffer | null = null;
  let filled = 0;
  const sendCurrent = () => {
    parts.send(current!, filled);
    current = null;
    filled = 0;
  };
  const write = async (chunk: Buffer) => {
    for (let offset = 0; offset < chunk.length;) {
      current ??= await parts.take();
      const copied = chunk.copy(current, filled, offset);
      filled += copied;
      offset += copied;
      if (filled === options.partBytes) sendCurrent();
    }
  };
  const finish = async () => {
    if (!parts.started) return parts.putWhole(current ? current.subarray(0, filled) : Buffer.alloc(0));
    if (filled > 0) sendCurrent();
    await parts.complete();
  };
  const input = new Writable({
    write: (chunk: Buffer, _encoding, callback) => void write(chunk).then(() => callback(), callback),
    final: (callback) => void finish().then(() => callback(), callback),
    destroy: (err, callback) =>
      void parts.abort().then(
        () => callback(err),
        () => callback(err),
      ),
  });
  const done = new Promise<void>((resolve, reject) =>
    finished(input, (err) => (err ? reject(err) : resolve())),
  );
  return { input, done, buffersAllocated: () => parts.allocated };
}
