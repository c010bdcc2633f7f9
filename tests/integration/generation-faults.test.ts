// Fault test: the worker process is killed with SIGKILL at random moments while 50 jobs
// run against the provider simulator, and restarted each time. Afterwards every job has
// ended (a video, or a failure with its credits returned), every provider task was
// submitted at most once (the simulator counts), the ledger balances, and no stored
// object is left without its asset row.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Asset, AuditEvent, GenerationJob } from '../../db/entities/index.ts';
import { jobCredits } from '../../stores/billing.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { signedIn } from '../support/accounts.ts';
import { TERMINAL, createJob, jobRequest } from '../support/generation.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import {
  SIMULATOR_API_KEY,
  startProviderSimulator,
  type ProviderSimulator,
} from '../support/simulator/index.ts';
import { createTestNamespace } from '../support/temporal.ts';
import { scaledDurations } from '../support/durations.ts';

const JOBS = 50;
const KILLS = 6;

let platform: TestPlatform;
let simulator: ProviderSimulator;
let env: Record<string, string>;
let worker: ChildProcess | undefined;

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['worker/main.ts'], {
    env: { ...process.env, ...env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  return child;
}

beforeAll(async () => {
  simulator = await startProviderSimulator({ faults: { latencyMs: 150, queueMs: 500, renderMs: 2500 } });
  const apiPort = await freePort();
  const stackEnv = inject('stackEnv');
  const namespace = await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!, 'faults');
  env = {
    ...stackEnv,
    TEMPORAL_NAMESPACE: namespace,
    PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`,
    DURATION_OVERRIDES: scaledDurations(0.05),
    LUMA_API_KEY: SIMULATOR_API_KEY,
    LUMA_BASE_URL: simulator.url,
    ARK_API_KEY: SIMULATOR_API_KEY,
    ARK_BASE_URL: simulator.url,
  };
  platform = await startTestPlatform({ workers: false, apiPort, env });
  worker = startWorker();
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await platform?.stop();
  await simulator?.stop();
});

describe('generation under worker crashes', () => {
  it('ends every job exactly once, never submits twice, balances the ledger and leaves no orphan objects', async () => {
    const { user, client } = await signedIn(platform, { credits: 10_000 });
    const prompts: string[] = [];
    const created = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => {
        const prompt = `fault run ${i} ${randomUUID()}`;
        prompts.push(prompt);
        // Mostly Luma (which can be reconciled after a lost answer), some Seedance (which cannot).
        const modelId = i % 5 === 0 ? 'seedance-2.0' : 'luma-ray-flash-2';
        return createJob(client, jobRequest({ modelId, prompt, durationSeconds: 5, resolution: '720p' }));
      }),
    );
    expect(created.every((r) => r.status === 201)).toBe(true);
    const jobs = await Promise.all(created.map((r) => json(r)));

    for (let kill = 0; kill < KILLS; kill++) {
      await sleep(1000 + Math.random() * 2500);
      worker?.kill('SIGKILL');
      await new Promise((resolve) => worker?.once('exit', resolve));
      worker = startWorker();
    }

    const deadline = Date.now() + 240_000;
    let finished: any[] = [];
    while (Date.now() < deadline) {
      finished = await Promise.all(jobs.map(async (j) => json(await client.get(`/api/jobs/${j.id}`))));
      if (finished.every((j) => TERMINAL.includes(j.status))) break;
      await sleep(1000);
    }
    const statuses = finished.map((j) => j.status);
    expect(statuses.filter((s) => !TERMINAL.includes(s))).toEqual([]);
    expect(statuses.filter((s) => s === 'succeeded').length).toBeGreaterThan(JOBS / 2);

    const em = platform.clients.orm.em.fork();
    for (const job of finished) {
      // Each task submitted at most once; a video means exactly once.
      const submissions = simulator.tasks().filter((t) => t.webhookUrl?.includes(job.id)).length;
      expect(submissions, `job ${job.id} submissions`).toBeLessThanOrEqual(1);
      if (job.status === 'succeeded') expect(submissions).toBe(1);
      // reserved = captured + released, and a failure released everything.
      const credits = await jobCredits(em, job.id);
      expect(credits.reserved, `job ${job.id} credits`).toBe(credits.captured + credits.released);
      if (job.status !== 'succeeded') expect(credits.captured).toBe(0);
    }
    const [row] = await em.execute<{ sum: string; balance: number }[]>(
      'select (select coalesce(sum(amount), 0) from credit_ledger where user_id = ?) as sum, credit_balance as balance from users where id = ?',
      [user.id, user.id],
    );
    expect(Number(row!.sum)).toBe(Number(row!.balance));

    // Every object under the user's prefix has a live asset row.
    const { store } = platform.clients;
    const listed = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, Prefix: `users/${user.id}/` }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    const live = new Set(
      (await em.find(Asset, { user: user.id, status: { $ne: 'deleted' } })).map((a) => a.objectKey),
    );
    expect(keys.filter((k) => !live.has(k))).toEqual([]);
    const outputs = await em.count(GenerationJob, {
      user: user.id,
      status: 'succeeded',
      outputAssetId: { $ne: null },
    });
    expect(outputs).toBe(statuses.filter((s) => s === 'succeeded').length);
    const reconciled = await em.count(AuditEvent, {
      action: 'job.submission_reconciled',
      subjectUserId: user.id,
    });
    console.log(
      JSON.stringify({
        faultTest: {
          jobs: JOBS,
          kills: KILLS,
          submissionsReconciled: reconciled,
          outcomes: Object.fromEntries(TERMINAL.map((s) => [s, statuses.filter((x) => x === s).length])),
          failureCodes: finished.filter((j) => j.failure).map((j) => j.failure.code),
        },
      }),
    );
  }, 420_000);
});
