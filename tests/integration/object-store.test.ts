// The platform's S3 client builds each kind of request's middleware once and shares it
// (platform/s3.ts, `cacheMiddleware`), so requests in flight together run through one
// handler and one context. Deletion proofs (R-PROOF) rest on what those requests answer for
// each object: the size it had before, and the 404 after. Here many go at once, mixed,
// and each must answer for its own object.
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { deleteObjectsVerified, headObject } from '../../platform/objects.ts';
import { createObjectStore, type ObjectStore } from '../../platform/s3.ts';

let store: ObjectStore;

beforeAll(() => {
  store = createObjectStore(loadConfig(inject('stackEnv')).s3);
});
afterAll(() => store.client.destroy());

describe('the object store client', () => {
  it('[R-PROOF] requests sent together through its shared middleware each answer for their own object', async () => {
    expect(store.client.config.cacheMiddleware).toBe(true);
    const prefix = `object-store-test/${randomUUID()}`;
    // Each object's size is its own: 1 to 24 bytes.
    const stored = Array.from({ length: 24 }, (_, i) => ({ key: `${prefix}/stored-${i}`, size: i + 1 }));
    const missing = Array.from({ length: 24 }, (_, i) => `${prefix}/missing-${i}`);
    await Promise.all(
      stored.map(({ key, size }) =>
        store.client.send(new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: 'x'.repeat(size) })),
      ),
    );

    const heads = await Promise.all(
      stored.flatMap(({ key }, i) => [headObject(store, key), headObject(store, missing[i]!)]),
    );
    stored.forEach(({ size }, i) => {
      expect(heads[2 * i]?.sizeBytes).toBe(size);
      expect(heads[2 * i + 1]).toBeNull();
    });

    // Two batches of deletions at once, each with its own before and its own check after.
    const halves = [stored.slice(0, 12), stored.slice(12)];
    const deleted = await Promise.all(
      halves.map((half) =>
        deleteObjectsVerified(
          store,
          half.map((o) => o.key),
        ),
      ),
    );
    halves.forEach((half, h) =>
      half.forEach(({ size }, i) => {
        const outcome = deleted[h]![i]!;
        expect(outcome.status).toBe('fulfilled');
        if (outcome.status === 'fulfilled') expect(outcome.value.before?.sizeBytes).toBe(size);
      }),
    );
    const after = await Promise.all(stored.map(({ key }) => headObject(store, key)));
    expect(after.every((head) => head === null)).toBe(true);
  });
});
