// Receives one uploaded file from a multipart request and streams it to S3: never held
// whole in memory, hashed (SHA-256) and counted as it passes, its type decided from its
// own first bytes (magic numbers), not from its name or declared type. A file of the
// wrong type or size stops the upload; the S3 multipart upload is aborted, and the
// caller removes whatever else it created.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import busboy from 'busboy';
import type { Request } from 'express';
import { fileTypeFromBuffer } from 'file-type';
import {
  ALLOWED_UPLOADS,
  CONTENT_SNIFF_BYTES,
  MAX_UPLOAD_BYTES,
  MULTIPART_OVERHEAD_BYTES,
  UPLOAD_LIMIT_BYTES,
  UPLOAD_PARTS_IN_FLIGHT,
  UPLOAD_PART_BYTES,
  describeAllowedUploads,
  type AllowedUpload,
} from '../domain/retention.ts';
import type { ObjectStore } from '../platform/s3.ts';
import { storageUnavailable } from '../use-cases/retention.ts';
import { AppError, badRequest } from './errors.ts';

const MB = 1024 * 1024;

export function fileTooLarge(type?: AllowedUpload): AppError {
  const message = type
    ? `This ${type.label} file is too large: ${type.mediaType} uploads can be at most ${UPLOAD_LIMIT_BYTES[type.mediaType] / MB} MB.`
    : `This file is too large: uploads can be at most ${MAX_UPLOAD_BYTES / MB} MB.`;
  return new AppError(413, 'file_too_large', message);
}

export function unsupportedFileType(): AppError {
  return new AppError(
    415,
    'unsupported_file_type',
    `This kind of file is not accepted. Upload ${describeAllowedUploads()}.`,
  );
}

export const uploadInterrupted = () =>
  new AppError(400, 'upload_interrupted', 'The upload was interrupted. Nothing was kept; please try again.');

/** Refuses, before a byte is read, a request that cannot carry an acceptable file. */
export function checkUploadRequest(req: Request): void {
  if (!req.is('multipart/form-data')) {
    throw new AppError(415, 'multipart_required', 'Send the file as multipart/form-data, in one file field.');
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES) {
    throw fileTooLarge();
  }
}

/**
 * Passes the file through: holds back the first bytes until their type is known, then
 * forwards everything, hashing and counting, and fails as soon as the type's limit is
 * passed.
 */
class Inspector extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  type: AllowedUpload | undefined;
  private head: Buffer[] = [];
  private headBytes = 0;
  private readonly onDetected: (type: AllowedUpload) => Promise<void>;

  constructor(onDetected: (type: AllowedUpload) => Promise<void>) {
    super();
    this.onDetected = onDetected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.accept(chunk).then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    (this.type ? Promise.resolve() : this.detect()).then(() => done(), done);
  }

  private async accept(chunk: Buffer): Promise<void> {
    this.size += chunk.length;
    if (this.type) {
      this.checkSize();
      this.forward(chunk);
      return;
    }
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes >= CONTENT_SNIFF_BYTES) await this.detect();
  }

  private async detect(): Promise<void> {
    const head = Buffer.concat(this.head);
    this.head = [];
    if (head.length === 0) throw badRequest('The file is empty.');
    const found = await fileTypeFromBuffer(head);
    const type = found ? ALLOWED_UPLOADS[found.ext] : undefined;
    if (!type) throw unsupportedFileType();
    this.type = type;
    this.checkSize();
    await this.onDetected(type);
    this.forward(head);
  }

  private checkSize(): void {
    if (this.type && this.size > UPLOAD_LIMIT_BYTES[this.type.mediaType]) throw fileTooLarge(this.type);
  }

  private forward(chunk: Buffer): void {
    this.hash.update(chunk);
    this.push(chunk);
  }
}

export interface ReceivedUpload {
  type: AllowedUpload;
  sizeBytes: number;
  sha256: string;
}

/** One file on its way to the store: its inspector, the multipart upload, and their ends. */
interface FileInFlight {
  inspector: Inspector;
  done: Promise<void>;
  upload?: Upload;
  uploaded?: Promise<unknown>;
  failure?: unknown;
}

/** Pipes the file through an inspector; the S3 upload starts once its type is known. */
function sendToStore(
  file: NodeJS.ReadableStream,
  store: ObjectStore,
  key: string,
  onDetected: (type: AllowedUpload) => Promise<void>,
): FileInFlight {
  const stopReading = () => {
    file.unpipe(flight.inspector);
    file.resume();
  };
  const inspector = new Inspector(async (type) => {
    await onDetected(type);
    flight.upload = new Upload({
      client: store.client,
      params: {
        Bucket: store.bucket,
        Key: key,
        Body: inspector,
        ContentType: type.contentType,
        ServerSideEncryption: store.serverSideEncryption,
      },
      partSize: UPLOAD_PART_BYTES,
      queueSize: UPLOAD_PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    flight.uploaded = flight.upload.done();
    // A store that fails stops reading: drain the request so the answer can be sent.
    flight.uploaded.catch((err: unknown) => {
      flight.failure ??= err;
      stopReading();
      inspector.destroy();
    });
  });
  const flight: FileInFlight = {
    inspector,
    done: new Promise<void>((resolve, reject) => {
      inspector.on('finish', resolve);
      inspector.on('error', (err) => {
        flight.failure ??= err;
        stopReading();
        void flight.upload?.abort();
        reject(err);
      });
    }),
  };
  flight.done.catch(() => {});
  file.pipe(inspector);
  return flight;
}

/**
 * The multipart parser for this request. A Content-Type it cannot read (multipart without
 * its boundary) is the request's fault, named as such, not a failure of the store.
 */
function multipartReader(req: Request, fileSize = MAX_UPLOAD_BYTES + 1): busboy.Busboy {
  try {
    return busboy({
      headers: req.headers,
      limits: { files: 1, fileSize, fields: 8, fieldSize: 1024, parts: 10 },
    });
  } catch {
    throw badRequest('The upload could not be read: its multipart/form-data Content-Type has no boundary.', [
      {
        field: 'Content-Type',
        message: 'multipart/form-data; boundary=… (as a form or HTTP library sends it)',
      },
    ]);
  }
}

/**
 * Streams the request's one file to `key`. `onDetected` runs once the type is known and
 * before any byte reaches the store (the caller records the row there, so the object is
 * never without one). The request is always read to its end before this settles, so the
 * client gets the answer instead of a reset connection.
 */
export async function receiveUpload(
  req: Request,
  store: ObjectStore,
  key: string,
  onDetected: (type: AllowedUpload) => Promise<void>,
): Promise<ReceivedUpload> {
  let flight: FileInFlight | undefined;
  const bb = multipartReader(req);
  bb.on('file', (_field, file) => {
    if (flight)
      file.resume(); // only the first file is taken
    else flight = sendToStore(file, store, key, onDetected);
  });
  const parsed = new Promise<void>((resolve, reject) => {
    bb.on('close', resolve);
    bb.on('error', () => reject(badRequest('The upload could not be read as multipart/form-data.')));
    req.on('close', () => {
      if (!req.complete) reject(uploadInterrupted());
    });
  });
  // Chunked requests carry no length to check up front: count, and cut off an endless one.
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES) req.destroy();
  });
  req.pipe(bb);

  try {
    await parsed;
    if (!flight) throw badRequest('Attach one file to upload.');
    if (flight.failure) throw flight.failure;
    await flight.done;
    if (!flight.uploaded || !flight.inspector.type) throw badRequest('The file is empty.');
    await flight.uploaded;
    if (flight.failure) throw flight.failure;
    const { inspector } = flight;
    return { type: inspector.type!, sizeBytes: inspector.size, sha256: inspector.hash.digest('hex') };
  } catch (err) {
    flight?.inspector.destroy();
    await flight?.upload?.abort();
    if (flight?.uploaded) await flight.uploaded.catch(() => {});
    const failure = flight?.failure;
    throw failure instanceof AppError ? failure : err instanceof AppError ? err : storageUnavailable();
  }
}

/**
 * Reads the request's one file whole, for small text files judged by their bytes (a
 * script): nothing reaches the store. A file over `maxBytes` is refused as it arrives.
 */
export async function readSmallUpload(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) {
    throw new AppError(413, 'file_too_large', `This file is too large: at most ${maxBytes / 1024} KB.`);
  }
  const bb = multipartReader(req, maxBytes);
  let file: Promise<Buffer> | undefined;
  bb.on('file', (_field, stream) => {
    if (file) {
      stream.resume();
      return;
    }
    file = new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () =>
        reject(new AppError(413, 'file_too_large', `This file is too large: at most ${maxBytes / 1024} KB.`)),
      );
      stream.on('end', () => resolve(Buffer.concat(chunks)));
      stream.on('error', reject);
    });
    file.catch(() => stream.resume());
  });
  const parsed = new Promise<void>((resolve, reject) => {
    bb.on('close', resolve);
    bb.on('error', () => reject(badRequest('The upload could not be read as multipart/form-data.')));
    req.on('close', () => {
      if (!req.complete) reject(uploadInterrupted());
    });
  });
  req.pipe(bb);
  await parsed;
  if (!file) throw badRequest('Attach one file to upload.');
  return file;
}
