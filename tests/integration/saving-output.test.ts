// The statement a job's output copy starts with (stores/generation.ts beginSaving): it
// marks the job saving, fixes the output's asset id once (so a retried copy writes the
// same object and row, R-OUT-7D), says whether an earlier attempt already stored it, and
// never reopens a job that has ended.
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Asset, GenerationJob } from '../../db/entities/index.ts';
import type { JobStatus } from '../../domain/generation.ts';
import { DAY } from '../../domain/time.ts';
import { beginSaving } from '../../stores/generation.ts';
import { createAccount } from '../support/accounts.ts';
import { insertJobRow } from '../support/generation.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let userId: string;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
  userId = (await createAccount(platform)).id;
});
afterAll(async () => {
  await platform?.stop();
});

const em = () => platform.clients.orm.em.fork();

const job = (status: JobStatus) => insertJobRow(em(), { userId, status });

const row = (id: string) => em().findOneOrFail(GenerationJob, { id });

describe('beginning an output copy', () => {
  it('[R-OUT-7D] marks the job saving and fixes one asset id that every retry gets again', async () => {
    const id = await job('running');
    const first = await beginSaving(em(), id);
    expect(first).toMatchObject({ id, userId, scriptProjectId: null, outputStored: false });
    expect(first.outputAssetId).toMatch(/^[0-9a-f-]{36}$/);
    const saved = await row(id);
    expect(saved).toMatchObject({ status: 'saving', outputAssetId: first.outputAssetId });
    expect(saved.statusChangedAt).toBeInstanceOf(Date);
    const again = await beginSaving(em(), id);
    expect(again.outputAssetId).toBe(first.outputAssetId);
  });

  it('[R-OUT-7D] says when an earlier attempt stored the output, and only for a stored one', async () => {
    const id = await job('saving');
    const { outputAssetId } = await beginSaving(em(), id);
    const now = new Date();
    await em().insert(Asset, {
      id: outputAssetId,
      user: userId,
      kind: 'output',
      status: 'pending',
      objectKey: `users/${userId}/outputs/${outputAssetId}`,
      contentType: 'video/mp4',
      jobId: id,
      createdAt: now,
    });
    expect((await beginSaving(em(), id)).outputStored).toBe(false);
    await em().nativeUpdate(
      Asset,
      { id: outputAssetId },
      { status: 'stored', storedAt: now, deleteAt: new Date(now.getTime() + 7 * DAY) },
    );
    expect(await beginSaving(em(), id)).toMatchObject({ outputAssetId, outputStored: true });
  });

  it('[R-OUT-7D] leaves an ended job ended, and refuses a job that does not exist', async () => {
    const id = await job('cancelled');
    const before = await row(id);
    const saving = await beginSaving(em(), id);
    const after = await row(id);
    expect(after.status).toBe('cancelled');
    expect(after.statusChangedAt).toEqual(before.statusChangedAt);
    expect(after.outputAssetId).toBe(saving.outputAssetId);
    const missing = beginSaving(em(), randomUUID());
    await expect(missing).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(missing).rejects.toMatchObject({ type: 'JobNotFound', nonRetryable: true });
  });
});
