// Orchestration overhead: many generation jobs through the provider simulator in
// instant mode (the provider takes no time), so what is measured is what the platform
// adds: the API, moderation, credits, the workflow, polling, copying the video into S3,
// the retention start. Beside it, in the same run, a bare Temporal workflow makes the
// same number of activity calls that do nothing. Prints one JSON line and a table.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { TestClient } from '../tests/support/client.ts';
import { createAccount, signIn } from '../tests/support/accounts.ts';
import { startTestStack } from '../tests/support/stack.ts';
import { startPlatform } from '../tests/support/platform.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../tests/support/simulator/index.ts';
import { freePort } from '../scripts/stack/process.ts';
import { RATE_LIMITS } from '../domain/accounts.ts';
import * as baselineActivities from './support/baseline-activities.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'rejected']);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1);
};

async function runPool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const stack = await startTestStack();
const simulator = await startProviderSimulator({ faults: { instant: true } });
const apiPort = await freePort();
const platform = await startPlatform(stack.env, {
  apiPort,
  env: {
    PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`,
    LUMA_API_KEY: SIMULATOR_API_KEY,
    LUMA_BASE_URL: simulator.url,
    LOG_LEVEL: 'silent',
  },
});
try {
  // One creator per concurrent slot, as many people would use it: each stays well inside
  // the per-account generation limit (RATE_LIMITS.generation), which is not what is measured.
  const creators = Math.max(CONCURRENCY, Math.ceil(JOBS / (RATE_LIMITS.generation.limit / 2)));
  const clients: TestClient[] = await Promise.all(
    Array.from({ length: creators }, async () =>
      signIn(platform, await createAccount(platform, { credits: Math.ceil(JOBS / creators) * 100 })),
    ),
  );

  // The platform: end-to-end time of each job, created to finished.
  const started = performance.now();
  const platformMs = await runPool(JOBS, CONCURRENCY, async (i) => {
    const client = clients[i % creators]!;
    const t = performance.now();
    const res = await client.request(
      'POST',
      '/api/jobs',
      {
        modelId: 'luma-ray-flash-2',
        prompt: `benchmark ${i} ${randomUUID()}`,
        durationSeconds: 5,
        aspectRatio: '16:9',
        resolution: '540p',
      },
      { 'idempotency-key': randomUUID() },
    );
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    for (;;) {
      const job = (await (await client.get(`/api/jobs/${id}`)).json()) as { status: string };
      if (TERMINAL.has(job.status)) {
        if (job.status !== 'succeeded') throw new Error(`job ${id} ${job.status}`);
        return performance.now() - t;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  const platformSeconds = (performance.now() - started) / 1000;

  // How many activity calls one job makes, read from a job's history.
  const [first] = ((await (await clients[0]!.get('/api/jobs?limit=1')).json()) as { jobs: { id: string }[] })
    .jobs;
  const history = await platform.clients.temporal.client.workflow
    .getHandle(`generation-${first!.id}`)
    .fetchHistory();
  // Local activities (status writes) count too: they appear as markers, not scheduled tasks.
  const activityCalls = (history.events ?? []).filter(
    (e) => e.activityTaskScheduledEventAttributes || e.markerRecordedEventAttributes,
  ).length;

  // The baseline: a bare workflow with as many no-op activities, on its own worker.
  const connection = await NativeConnection.connect({ address: platform.config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: platform.namespace,
    taskQueue: 'bench-baseline',
    workflowsPath: fileURLToPath(new URL('./support/baseline-workflows.ts', import.meta.url)),
    activities: baselineActivities,
  });
  const running = worker.run();
  const temporal = platform.clients.temporal.client;
  const baseStarted = performance.now();
  const baselineMs = await runPool(JOBS, CONCURRENCY, async () => {
    const t = performance.now();
    await temporal.workflow.execute('baselineWorkflow', {
      taskQueue: 'bench-baseline',
      workflowId: `bench-baseline-${randomUUID()}`,
      args: [activityCalls],
    });
    return performance.now() - t;
  });
  const baselineSeconds = (performance.now() - baseStarted) / 1000;
  worker.shutdown();
  await running;
  await connection.close();

  const result = {
    bench: 'orchestration',
    jobs: JOBS,
    concurrency: CONCURRENCY,
    activityCallsPerJob: activityCalls,
    platform: {
      jobsPerSecond: +(JOBS / platformSeconds).toFixed(2),
      p50Ms: pct(platformMs, 50),
      p99Ms: pct(platformMs, 99),
    },
    bareWorkflow: {
      jobsPerSecond: +(JOBS / baselineSeconds).toFixed(2),
      p50Ms: pct(baselineMs, 50),
      p99Ms: pct(baselineMs, 99),
    },
  };
  const ratio = {
    p50: +(result.platform.p50Ms / result.bareWorkflow.p50Ms).toFixed(2),
    throughput: +(result.bareWorkflow.jobsPerSecond / result.platform.jobsPerSecond).toFixed(2),
  };
  console.log(JSON.stringify({ ...result, ratio }));
  console.table({ platform: result.platform, 'bare workflow, same activity count': result.bareWorkflow });
} finally {
  await platform.stop();
  await simulator.stop();
  await stack.stop();
}
