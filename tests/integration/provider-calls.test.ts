// A job's provider calls as the worker runs them (activities/generation/provider.ts, in a
// mocked activity context, against the provider simulator): the submission records the
// task on the job, and a poll asks for the task its workflow names, reading nothing of the
// job first; a poll scheduled by a workflow from before that (a bare job id) still finds
// the task on the job.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGenerationActivities } from '../../activities/generation/index.ts';
import { GenerationJob } from '../../db/entities/index.ts';
import type { ProviderTaskState } from '../../providers/types.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { createAccount } from '../support/accounts.ts';
import { insertJobRow } from '../support/generation.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import {
  SIMULATOR_API_KEY,
  startProviderSimulator,
  type ProviderSimulator,
} from '../support/simulator/index.ts';

let platform: TestPlatform;
let simulator: ProviderSimulator;
let userId: string;

beforeAll(async () => {
  // Tasks start at once and render for a minute: every poll finds one running.
  simulator = await startProviderSimulator({ faults: { queueMs: 0, renderMs: 60_000 } });
  platform = await startTestPlatform({
    workers: false,
    env: {
      // Webhooks go to a port nobody listens on: these tests poll.
      PUBLIC_API_URL: `http://127.0.0.1:${await freePort()}`,
      LUMA_API_KEY: SIMULATOR_API_KEY,
      LUMA_BASE_URL: simulator.url,
    },
  });
  userId = (await createAccount(platform)).id;
});
afterAll(async () => {
  await platform?.stop();
  await simulator?.stop();
});

const em = () => platform.clients.orm.em.fork();
const row = (id: string) => em().findOneOrFail(GenerationJob, { id });
const activities = () => createGenerationActivities(platform.clients);
const mocked = () => new MockActivityEnvironment();

async function submittedJob(): Promise<{ jobId: string; taskId: string }> {
  const jobId = await insertJobRow(em(), {
    userId,
    status: 'queued',
    model: 'luma-ray-flash-2',
    provider: 'luma',
  });
  const { taskId }: ProviderTaskState = await mocked().run(activities().submitToProvider, jobId);
  return { jobId, taskId };
}

describe('a job’s provider calls', () => {
  it('[D-RECIPIENTS] submits once, recording the task, and polls the task the workflow names', async () => {
    const { jobId, taskId } = await submittedJob();
    expect(await row(jobId)).toMatchObject({ status: 'submitted', providerTaskId: taskId });
    // The poll reads nothing of the job: with the task gone from the row, it still finds it.
    await em().nativeUpdate(GenerationJob, { id: jobId }, { providerTaskId: null });
    const task: ProviderTaskState = await mocked().run(activities().pollProviderTask, {
      jobId,
      provider: 'luma' as const,
      taskId,
    });
    expect(task).toMatchObject({ taskId, status: 'running' });
    const polled = await row(jobId);
    expect(polled.status).toBe('running');
    expect(polled.progress).toBe(task.progress ?? null);
  });

  it('polls from a bare job id, as a workflow from before scheduled it, by the task on the job', async () => {
    const { jobId, taskId } = await submittedJob();
    const task: ProviderTaskState = await mocked().run(activities().pollProviderTask, jobId);
    expect(task).toMatchObject({ taskId, status: 'running' });
    expect((await row(jobId)).status).toBe('running');
    await em().nativeUpdate(GenerationJob, { id: jobId }, { providerTaskId: null });
    await expect(mocked().run(activities().pollProviderTask, jobId)).rejects.toMatchObject({
      type: 'NoProviderTask',
      nonRetryable: true,
    });
  });
});
