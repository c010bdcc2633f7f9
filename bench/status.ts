// Job status reads (`GET /api/jobs/:id`) as the platform runs in production: the API
// and the worker each in its own process (api/main.ts, worker/main.ts, logging at info
// as they do by default), the whole stack behind them. 50 signed-in people, each with a
// session of their own and a job that ran through the provider simulator, read their
// job's status as fast as it answers (closed loop: one request in flight per person,
// autocannon, one connection each), first with everything running, then again with the
// worker stopped (the status must not depend on it). Beside them, the same people read
// only their session (`GET /api/auth/session`), the floor every signed-in read pays.
// Prints one JSON line, then a table; never passes or fails on time.
//
//   node bench/status.ts [--clients 50] [--duration-s 20] [--warmup-s 5] [--profile <dir>]
//
// With --profile, the API runs under V8's CPU profiler, only the job status reads with
// everything running are measured, and where the API's CPU time went is printed per read
// (bench/support/cpu-profile.ts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../config/index.ts';
import { TASK_QUEUES } from '../domain/temporal.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { freePort, waitUntil } from '../scripts/stack/process.ts';
import { createAccount, signIn } from '../tests/support/accounts.ts';
import type { TestClient } from '../tests/support/client.ts';
import type { TestPlatform } from '../tests/support/platform.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../tests/support/simulator/index.ts';
import { startTestStack } from '../tests/support/stack.ts';
import {
  RssSampler,
  cpuSecondsOf,
  inParallel,
  loadAverage,
  printTable,
  progress,
  round,
} from './support/figures.ts';
import { startWorkerProcess } from './support/worker-process.ts';
import { summarize } from './support/cpu-profile.ts';
import { Started } from './support/started.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    'duration-s': { type: 'string', default: '20' },
    'warmup-s': { type: 'string', default: '5' },
    profile: { type: 'string' },
  },
});
const CLIENTS = Number(values.clients);
const DURATION_S = Number(values['duration-s']);
const WARMUP_S = Number(values['warmup-s']);
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'rejected']);
const say = (m: string) => progress('status', m);

say(
  'starting a stack (Temporal dev server on a SQLite file), the provider simulator, the API and the worker',
);
const running = new Started();
const stack = running.add(await startTestStack({ temporalFile: true }), (s) => s.stop());
try {
  const simulator = running.add(await startProviderSimulator({ faults: { instant: true } }), (s) => s.stop());
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...stack.env,
    LOG_LEVEL: 'info',
    API_PORT: String(apiPort),
    API_HOST: '127.0.0.1',
    PUBLIC_API_URL: apiUrl,
    LUMA_API_KEY: SIMULATOR_API_KEY,
    LUMA_BASE_URL: simulator.url,
  };
  const config = loadConfig(env);
  const clients = running.add(
    await createClients(config, createLogger({ level: 'warn', name: 'bench' })),
    (c) => c.close(),
  );
  // The API's request log goes where production's goes: out of the process (here, nowhere).
  const PROFILE_DIR = values.profile ? path.resolve(values.profile) : undefined;
  const profileFlags = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const apiSpawnedAt = Date.now();
  const api = spawn(
    process.execPath,
    [...profileFlags, fileURLToPath(new URL('../api/main.ts', import.meta.url))],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const apiExited = new Promise((resolve) => api.once('exit', resolve));
  running.add(api, async (child) => {
    child.kill('SIGTERM');
    await apiExited;
  });
  const worker = running.add(
    await startWorkerProcess(
      { ...env, LOG_LEVEL: 'warn' },
      { client: clients.temporal.client, readyQueue: TASK_QUEUES.generation },
    ),
    (w) => w.stop(),
  );
  await waitUntil('the API', async () => (await fetch(`${apiUrl}/healthz`)).ok, { timeoutMs: 60_000 });
  const apiRss = new RssSampler(api.pid!).start();

  const asPlatform = { clients, config, api: { url: apiUrl } } as unknown as TestPlatform;
  const people: { client: TestClient; jobId: string }[] = [];
  await inParallel(Array.from({ length: CLIENTS }), 5, async () => {
    const client = await signIn(asPlatform, await createAccount(asPlatform, { credits: 1000 }));
    const res = await client.request(
      'POST',
      '/api/jobs',
      {
        modelId: 'luma-ray-flash-2',
        prompt: `status benchmark ${randomUUID()}`,
        durationSeconds: 5,
        aspectRatio: '16:9',
        resolution: '540p',
      },
      { 'idempotency-key': randomUUID() },
    );
    if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
    people.push({ client, jobId: ((await res.json()) as { id: string }).id });
  });
  for (const { client, jobId } of people) {
    await waitUntil(
      `job ${jobId} to finish`,
      async () =>
        TERMINAL.has(((await (await client.get(`/api/jobs/${jobId}`)).json()) as { status: string }).status),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
  }
  say(`${CLIENTS} people signed in, each with a finished job`);

  const cookieOf = (c: TestClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  /** `CLIENTS` connections, each one person reading `path(person)` in a closed loop. */
  async function reads(label: string, path: (p: (typeof people)[number]) => string, seconds: number) {
    let nextPerson = 0;
    const cpuBefore = await cpuSecondsOf(api.pid!);
    const statementsBefore = await statements();
    const load = loadAverage();
    const from = Date.now();
    const result = await autocannon({
      url: apiUrl,
      connections: CLIENTS,
      duration: seconds,
      timeout: 30,
      initialContext: {},
      requests: [
        {
          method: 'GET',
          setupRequest: (request, context: { person?: number }) => {
            context.person ??= nextPerson++ % people.length;
            const person = people[context.person]!;
            return {
              ...request,
              path: path(person),
              headers: { cookie: cookieOf(person.client), 'x-forwarded-for': person.client.ip },
            };
          },
        },
      ],
    });
    const to = Date.now();
    const ok = result['2xx'];
    const total = ok + result.non2xx + result.errors + result.timeouts;
    const figures = {
      label,
      ok,
      from,
      to,
      readsPerS: round(ok / seconds, 1),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      failed: total - ok,
      apiCpuMsPerRead: round((((await cpuSecondsOf(api.pid!)) - cpuBefore) * 1000) / Math.max(1, ok), 2),
      statementsPerRead: round(((await statements()) - statementsBefore) / Math.max(1, ok), 2),
      load,
    };
    say(
      `${label}: ${figures.readsPerS}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ${figures.failed} failed`,
    );
    return figures;
  }

  /**
   * Transactions the database has committed so far (each statement outside a transaction
   * is one), once PostgreSQL has published its counters (an idle connection publishes
   * within 10 s); the worker is idle meanwhile.
   */
  async function statements(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const [row] = await clients.orm.em
      .getConnection()
      .execute<{ n: string }[]>(
        'select pg_stat_clear_snapshot(), xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()',
      );
    return Number(row!.n);
  }

  const jobPath = (p: (typeof people)[number]) => `/api/jobs/${p.jobId}`;
  await reads('warm-up', jobPath, WARMUP_S);
  const wholeStack = await reads('job status, whole stack running', jobPath, DURATION_S);
  if (PROFILE_DIR) {
    api.kill('SIGTERM');
    await apiExited;
    const file = (await readdir(PROFILE_DIR))
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort()
      .at(-1)!;
    await summarize(path.join(PROFILE_DIR, file), {
      per: wholeStack.ok,
      window: { processStartedAt: apiSpawnedAt, from: wholeStack.from, to: wholeStack.to },
    });
  } else {
    await theRest(wholeStack);
  }

  async function theRest(wholeStack: Awaited<ReturnType<typeof reads>>) {
    const session = await reads('session only, whole stack running', () => '/api/auth/session', DURATION_S);
    say('stopping the worker');
    await worker.stop();
    await reads('warm-up', jobPath, WARMUP_S);
    const workerDown = await reads('job status, worker stopped', jobPath, DURATION_S);
    const apiPeak = await apiRss.stop();

    const result = {
      bench: 'status',
      clients: CLIENTS,
      readsPerS: wholeStack.readsPerS,
      p99Ms: wholeStack.p99Ms,
      workerDownP99Ms: workerDown.p99Ms,
    };
    console.log(JSON.stringify(result));
    printTable(`${CLIENTS} signed-in people reading in a closed loop for ${DURATION_S} s each (autocannon)`, [
      [
        '',
        'reads/s',
        'p50 ms',
        'p99 ms',
        'max ms',
        'failed',
        'API CPU ms/read',
        'DB transactions/read',
        'load average before',
      ],
      ...[wholeStack, session, workerDown].map((f) => [
        f.label,
        f.readsPerS,
        f.p50Ms,
        f.p99Ms,
        f.maxMs,
        f.failed,
        f.apiCpuMsPerRead,
        f.statementsPerRead,
        f.load,
      ]),
    ]);
    console.log(`  API process peak RSS: ${Math.round(apiPeak)} MiB`);
  }
} finally {
  await running.stopAll();
}
