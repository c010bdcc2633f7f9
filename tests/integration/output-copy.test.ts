// The output copy as the worker runs it (activities/generation/output.ts storeOutput, in
// a mocked activity context): the provider's video is stored and scored in one pass, the
// scoring starting as soon as the scratch file is whole; a store that refuses the copy
// fails the activity at once rather than leaving the scoring waiting for a file that is
// never finished; nothing is left in the scratch folder either way. The output's retention
// is started beside the copy, so even a copy that fails leaves its deletion scheduled, and
// its delete-at counts from the activity's first scheduling, which every retry shares;
// with a retention shorter than a copy can last (a test stack's), only once the row is.
import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowNotFoundError } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETENTION_POLICY } from '../../domain/retention-policy.ts';
import { MINUTE } from '../../domain/time.ts';
import { createGenerationActivities, type StoredOutput } from '../../activities/generation/index.ts';
import { configuredDurations } from '../../config/durations.ts';
import { Asset, GenerationJob } from '../../db/entities/index.ts';
import { createAccount } from '../support/accounts.ts';
import { insertJobRow } from '../support/generation.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { sampleVideo } from '../support/simulator/video.ts';

let platform: TestPlatform;
let userId: string;
let video: Buffer;
let server: http.Server;
let videoUrl: string;

beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  userId = (await createAccount(platform)).id;
  video = await sampleVideo();
  // The classifier's process and model are loaded first, so scoring starts at once.
  await platform.clients.classifier.ready();
  // The provider's download link, on loopback. It sends the first bytes, then the rest a
  // while later, as a slow network does: scoring a file before it is whole would find no
  // picture in it, and the video would be held instead of passed.
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.length });
    res.write(video.subarray(0, 16));
    setTimeout(() => res.end(video.subarray(16)), 300);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  videoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/video.mp4`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();
// The folders the process's steps made and did not remove (platform/scratch.ts).
const scratchLeft = () => readdir(platform.clients.scratch.home);

const retentionOf = (assetId: string) =>
  platform.clients.temporal.client.workflow.getHandle(`retention-${assetId}`).describe();

/** A later attempt of the copy: its activity was first scheduled five minutes ago. */
const retried = () => new MockActivityEnvironment({ scheduledTimestampMs: Date.now() - 5 * MINUTE });

const runningJob = () =>
  insertJobRow(em(), { userId, status: 'running', model: 'luma-ray-flash-2', provider: 'luma' });

describe('storing a job’s output', () => {
  it('[R-OUT-7D] [S-MOD] stores the provider’s video byte for byte, scored, and leaves no scratch file', async () => {
    const { storeOutput } = createGenerationActivities(platform.clients);
    const jobId = await runningJob();
    const environment = retried();
    const stored: StoredOutput = await environment.run(storeOutput, {
      jobId,
      source: { kind: 'url' as const, url: videoUrl },
    });
    expect(stored.moderation).toBe('passed');
    const asset = await em().findOneOrFail(Asset, { id: stored.id });
    const sha256 = createHash('sha256').update(video).digest('hex');
    expect(asset).toMatchObject({ status: 'stored', sizeBytes: video.length, sha256, jobId });
    const { store } = platform.clients;
    const object = await store.client.send(
      new GetObjectCommand({ Bucket: store.bucket, Key: asset.objectKey }),
    );
    const bytes = Buffer.from(await object.Body!.transformToByteArray());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    expect(await scratchLeft()).toEqual([]);
    // The row and the timer count 7 days from the first scheduling, not from this attempt.
    const scheduledAt = environment.context.info.scheduledTimestampMs;
    expect(asset.deleteAt!.getTime()).toBe(scheduledAt + RETENTION_POLICY.output.keepMs);
    expect(stored.deleteAt).toBe(asset.deleteAt!.toISOString());
    expect(asset.storedAt!.getTime()).toBeGreaterThan(scheduledAt);
    expect((await retentionOf(stored.id)).searchAttributes.DueAt).toEqual([asset.deleteAt]);
  });

  it('[R-OUT-7D] fails at once when the store refuses the copy, with no row and no scratch file left, and the deletion scheduled', async () => {
    const refusing = { ...platform.clients.store, bucket: `no-such-bucket-${randomUUID().slice(0, 8)}` };
    const { storeOutput } = createGenerationActivities({ ...platform.clients, store: refusing });
    const jobId = await runningJob();
    await expect(
      retried().run(storeOutput, {
        jobId,
        source: { kind: 'url' as const, url: videoUrl },
      }),
    ).rejects.toThrow(/bucket/i);
    const job = await em().findOneOrFail(GenerationJob, { id: jobId });
    expect(await em().findOne(Asset, { id: job.outputAssetId! })).toBeNull();
    expect(await scratchLeft()).toEqual([]);
    // Whatever the store took of the video is deleted on time all the same.
    const retention = await retentionOf(job.outputAssetId!);
    expect(retention.status.name).toBe('RUNNING');
    expect(retention.searchAttributes.AssetKind).toEqual(['output']);
  });

  it('[R-OUT-7D] with a retention shorter than a copy can last, starts the timer only once the row is written', async () => {
    // Five minutes: a timer started beside the copy could fire before a later attempt stored it.
    const config = { ...platform.clients.config, durations: configuredDurations({ output: 5 * MINUTE }) };
    const refusing = { ...platform.clients.store, bucket: `no-such-bucket-${randomUUID().slice(0, 8)}` };
    const failing = createGenerationActivities({ ...platform.clients, config, store: refusing });
    const jobId = await runningJob();
    const source = { kind: 'url' as const, url: videoUrl };
    const attempt = retried();
    await expect(attempt.run(failing.storeOutput, { jobId, source })).rejects.toThrow(/bucket/i);
    const { outputAssetId } = await em().findOneOrFail(GenerationJob, { id: jobId });
    await expect(retentionOf(outputAssetId!)).rejects.toBeInstanceOf(WorkflowNotFoundError);
    // The next attempt stores it: row first, then the timer, both at the first scheduling's time.
    const working = createGenerationActivities({ ...platform.clients, config });
    const next = new MockActivityEnvironment({
      scheduledTimestampMs: attempt.context.info.scheduledTimestampMs,
    });
    const stored: StoredOutput = await next.run(working.storeOutput, { jobId, source });
    const asset = await em().findOneOrFail(Asset, { id: stored.id });
    expect(asset.deleteAt!.getTime()).toBe(attempt.context.info.scheduledTimestampMs + 5 * MINUTE);
    expect((await retentionOf(stored.id)).searchAttributes.DueAt).toEqual([asset.deleteAt]);
  });
});
