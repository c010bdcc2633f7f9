// The object store client. Every object is written with server-side encryption
// (AES-256 by default, R-CRYPTO); the bucket is created on start-up in development.
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketEncryptionCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { Config } from '../config/index.ts';

export interface ObjectStore {
  client: S3Client;
  /** Signs links for browsers and providers (the public endpoint when it differs). */
  signer: S3Client;
  bucket: string;
  serverSideEncryption: Config['s3']['serverSideEncryption'];
}

export function createObjectStore(
  s3: Config['s3'],
  options: { timeoutMs?: number; cacheMiddleware?: boolean } = {},
): ObjectStore {
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: s3.forcePathStyle,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    // A store that is down must fail fast, not hang a readiness probe or a request.
    requestHandler: { connectionTimeout: options.timeoutMs ?? 3000, requestTimeout: 30_000 },
    maxAttempts: 3,
    // The SDK builds each request's middleware stack anew unless told to build it once per
    // kind of request: a HEAD of a stored object then costs 0.466 and 0.484 ms of CPU
    // instead of 0.503 and 0.529 (two runs of `bench:objects`), one of a missing object
    // 0.464 and 0.504 instead of 0.51 and 0.508; a due deletion makes one of each. The
    // cache ignores middleware added to a client or a command after its first request:
    // nothing here adds any (the presigner resolves its own stack from a clone), and
    // nothing may, on this client.
    cacheMiddleware: options.cacheMiddleware ?? true,
  });
  // Signing is local computation: a client for the public endpoint never sends a request.
  const signer = s3.publicEndpoint
    ? new S3Client({
        region: s3.region,
        endpoint: s3.publicEndpoint,
        forcePathStyle: s3.forcePathStyle,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      })
    : client;
  return { client, signer, bucket: s3.bucket, serverSideEncryption: s3.serverSideEncryption };
}

/** Creates the bucket if it is missing and makes AES-256 its default encryption. */
export async function ensureBucket(store: ObjectStore): Promise<void> {
  try {
    await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
  } catch (err) {
    if (!(err instanceof S3ServiceException) || err.$metadata.httpStatusCode !== 404) throw err;
    await store.client.send(new CreateBucketCommand({ Bucket: store.bucket }));
  }
  await store.client.send(
    new PutBucketEncryptionCommand({
      Bucket: store.bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: store.serverSideEncryption } }],
      },
    }),
  );
}

export async function checkObjectStore(store: ObjectStore): Promise<void> {
  await store.client.send(new HeadBucketCommand({ Bucket: store.bucket }));
}
