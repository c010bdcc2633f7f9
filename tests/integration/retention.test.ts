import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DeletionProof } from '../../db/entities/index.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { DAY, SECOND } from '../../domain/time.ts';
import { registerTempAsset } from '../../activities/generation/render.ts';
import { verifyDeletionProof } from '../../stores/retention-proof.ts';
import { retentionStateQuery } from '../../workflows/retention.ts';
import { signedIn, type TestAccount } from '../support/accounts.ts';
import {
  eventually,
  loadAsset,
  media,
  objectExists,
  retentionStarted,
  storeAsset,
  uploadBytes,
  waitForDeleted,
} from '../support/assets.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestNamespace } from '../support/temporal.ts';
import { scaledDurations } from '../support/durations.ts';

// Uploads are kept 10 s instead of 30 days, outputs 7/30 of that (about 2.3 s), temporary
// files 1/30 (about 0.3 s): the production table, scaled by configuration only.
const INPUT_KEEP_MS = 10 * SECOND;
const TIME_SCALE = String(INPUT_KEEP_MS / (30 * DAY));
/** How late a deletion may land after its delete-at on a loaded test machine. */
const LATENESS_MS = 10 * SECOND;

let platform: TestPlatform;
let creator: TestAccount;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { DURATION_OVERRIDES: scaledDurations(TIME_SCALE) } });
  creator = await signedIn(platform);
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();

async function expectDeletedOnTime(assetId: string, reason = 'timer') {
  const asset = await waitForDeleted(platform, assetId, 30_000);
  expect(asset.deletionReason).toBe(reason);
  // Never before its time, and not long after.
  expect(asset.deletedAt!.getTime()).toBeGreaterThanOrEqual(asset.deleteAt!.getTime());
  expect(asset.deletedAt!.getTime() - asset.deleteAt!.getTime()).toBeLessThan(LATENESS_MS);
  expect(await objectExists(platform, asset.objectKey)).toBe(false);
  const proof = await em().findOneOrFail(DeletionProof, { assetId });
  expect(proof.reason).toBe(reason);
  expect(proof.requestedAt.getTime()).toBeGreaterThanOrEqual(asset.deleteAt!.getTime());
  expect(verifyDeletionProof(proof)).toBe(true);
  return asset;
}

describe('retention timers (shortened by DURATION_OVERRIDES)', () => {
  it('[R-OUT-7D] deletes a generated video when its time is up; it cannot be downloaded after', async () => {
    const output = await storeAsset(platform, creator.user.id, { kind: 'output' });
    expect(output.deleteAt!.getTime() - output.storedAt!.getTime()).toBe(
      platform.config.durations.retentionMs('output'),
    );
    const link = await creator.client.get(`/api/assets/${output.id}/download`);
    expect(link.status).toBe(200);
    const { url } = await json(link);
    expect((await fetch(url)).status).toBe(200);

    await expectDeletedOnTime(output.id);
    // The old link fails (the object is gone, and the link never outlived the delete-at).
    expect([403, 404]).toContain((await fetch(url)).status);
    expect((await creator.client.get(`/api/assets/${output.id}/download`)).status).toBe(410);
    const listed = await json(await creator.client.get(`/api/assets/${output.id}`));
    expect(listed).toMatchObject({ status: 'deleted', deletionReason: 'timer' });
    const state = await platform.clients.temporal.client.workflow
      .getHandle(`retention-${output.id}`)
      .query(retentionStateQuery);
    expect(state).toMatchObject({ status: 'deleted', reason: 'timer' });
  });

  it('[R-IN-30D] deletes an upload when its time is up', async () => {
    const res = await uploadBytes(platform, creator.client, await media('mp3'));
    expect(res.status).toBe(201);
    const uploaded = await json(res);
    expect(new Date(uploaded.deleteAt).getTime() - new Date(uploaded.storedAt).getTime()).toBe(INPUT_KEEP_MS);
    const row = (await loadAsset(platform, uploaded.id))!;
    expect(await objectExists(platform, row.objectKey)).toBe(true);
    // Halfway through its time it is still there.
    await sleep(INPUT_KEEP_MS / 2);
    expect((await loadAsset(platform, uploaded.id))!.status).toBe('stored');
    expect(await objectExists(platform, row.objectKey)).toBe(true);
    await expectDeletedOnTime(uploaded.id);
    expect((await creator.client.get(`/api/assets/${uploaded.id}/download`)).status).toBe(410);
  });

  it('[R-IN-EARLY] deletes at once when asked, long before the timer', async () => {
    const uploaded = await json(await uploadBytes(platform, creator.client, await media('wav')));
    const res = await creator.client.delete(`/api/assets/${uploaded.id}`);
    expect(res.status).toBe(202);
    const asset = await waitForDeleted(platform, uploaded.id, 5000);
    expect(asset.deletionReason).toBe('user');
    expect(asset.deletedAt!.getTime()).toBeLessThan(asset.deleteAt!.getTime());
    expect(await objectExists(platform, asset.objectKey)).toBe(false);
  });

  it('[R-TEMP] deletes a temporary file left by an interrupted job when its backstop fires', async () => {
    const temp = await registerTempAsset(platform.clients, {
      assetId: randomUUID(),
      userId: creator.user.id,
      jobId: randomUUID(),
    });
    const { store } = platform.clients;
    await store.client.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: temp.objectKey,
        Body: Buffer.from('partial render'),
        ServerSideEncryption: store.serverSideEncryption,
      }),
    );
    // Nobody ends the job: its worker died. The backstop timer deletes it.
    const asset = await waitForDeleted(platform, temp.assetId, 30_000);
    expect(asset.deletionReason).toBe('timer');
    expect(asset.deletedAt!.getTime()).toBeGreaterThanOrEqual(new Date(temp.deleteAt).getTime());
    expect(await objectExists(platform, temp.objectKey)).toBe(false);
  });
});

describe('a worker killed while timers are pending', () => {
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    }
  });

  function startWorkerProcess(namespace: string): ChildProcess & { output: () => string } {
    let output = '';
    const child = spawn(process.execPath, [fileURLToPath(new URL('../../worker/main.ts', import.meta.url))], {
      env: {
        ...process.env,
        ...inject('stackEnv'),
        TEMPORAL_NAMESPACE: namespace,
        DURATION_OVERRIDES: scaledDurations(TIME_SCALE),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    children.push(child);
    return Object.assign(child, { output: () => output });
  }

  it('[R-IN-30D] [R-OUT-7D] still deletes every object, late ones as soon as a worker is back, the rest on time', async () => {
    const namespace = await createTestNamespace(inject('stackEnv').TEMPORAL_ADDRESS!);
    // API and clients only: the one worker of this namespace is a separate process.
    const isolated = await startTestPlatform({
      workers: false,
      env: { TEMPORAL_NAMESPACE: namespace, DURATION_OVERRIDES: scaledDurations(TIME_SCALE) },
    });
    try {
      const first = startWorkerProcess(namespace);
      const owner = (await signedIn(isolated)).user;
      // The first worker polls before any timer is set: how long it takes to start (seconds
      // on a loaded machine) must not eat into the time the early group has.
      await eventually(
        async () => {
          const queue = await isolated.clients.temporal.client.workflowService.describeTaskQueue({
            namespace,
            // The workflow queue's pollers (the request's default type).
            taskQueue: { name: TASK_QUEUES.retention },
          });
          return (queue.pollers?.length ?? 0) > 0;
        },
        30_000,
        `first worker polling (${first.output()})`,
      );
      const now = Date.now();
      // Due while no worker runs (5 s from now), and due after the new worker is up (12 s).
      const early = await Promise.all(
        [0, 1, 2].map(() =>
          storeAsset(isolated, owner.id, { kind: 'input', storedAt: new Date(now - 5 * SECOND) }),
        ),
      );
      const late = await Promise.all(
        [0, 1, 2].map(() =>
          storeAsset(isolated, owner.id, { kind: 'input', storedAt: new Date(now + 2 * SECOND) }),
        ),
      );
      // Each workflow is started, its first task held back to its time.
      for (const asset of [...early, ...late]) await retentionStarted(isolated, asset.id);
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));

      // Past the early group's time with no worker: nothing can have been deleted.
      await sleep(Math.max(0, early[0]!.deleteAt!.getTime() + SECOND - Date.now()));
      for (const asset of early) expect(await objectExists(isolated, asset.objectKey)).toBe(true);

      const restartedAt = Date.now();
      const second = startWorkerProcess(namespace);
      for (const asset of early) {
        const deleted = await waitForDeleted(isolated, asset.id, 40_000).catch((err: Error) => {
          throw new Error(`${err.message}; worker said: ${second.output()}`);
        });
        expect(deleted.deletedAt!.getTime()).toBeGreaterThan(restartedAt);
        expect(await objectExists(isolated, asset.objectKey)).toBe(false);
      }
      for (const asset of late) {
        const deleted = await waitForDeleted(isolated, asset.id, 40_000);
        expect(deleted.deletedAt!.getTime()).toBeGreaterThanOrEqual(asset.deleteAt!.getTime());
        expect(deleted.deletedAt!.getTime() - asset.deleteAt!.getTime()).toBeLessThan(2 * LATENESS_MS);
        expect(await objectExists(isolated, asset.objectKey)).toBe(false);
      }
    } finally {
      await isolated.stop();
    }
  }, 120_000);
});
