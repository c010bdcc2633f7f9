// Several worker and api processes against one engine, as a deployment runs them (each
// `node worker/main.ts` or `node api/main.ts` its own child process): workers that
// each poll chosen task queues and start at the same moment, job creation by
// Idempotency-Key, rate limits, Stripe's webhook and live views shared by two apis,
// and each process's metrics endpoint. A lost LISTEN connection comes back by itself.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import pg from 'pg';
import Stripe from 'stripe';
import { Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CreditLedgerEntry, GenerationJob, Payment } from '../../db/entities/index.ts';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { createNotifications } from '../../platform/notifications.ts';
import { creditBalance } from '../../stores/billing.ts';
import { ProcessGroup, freePort, silentLog } from '../../scripts/stack/process.ts';
import { startPostgres } from '../../scripts/stack/services.ts';
import { SWEEP_SCHEDULES } from '../../worker/schedules.ts';
import { signedIn, uniqueEmail } from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { createJob, jobRequest, waitForJob } from '../support/generation.ts';
import { json } from '../support/http.ts';
import {
  startChildApi,
  startChildWorker,
  startObserver,
  type ChildApi,
  type ChildWorker,
  type Observer,
} from '../support/processes.ts';
import { createTestNamespace } from '../support/temporal.ts';

const TaskQueueType = protos.temporal.api.enums.v1.TaskQueueType;
const METRICS_TOKEN = 'metrics-token-for-the-processes-test';

let env: Record<string, string>;
let workers: ChildWorker[] = [];
let apis: ChildApi[] = [];
let observer: Observer;
let connection: Connection;
/** Every child joins it at its spawn, so none outlives the file, even after a failed start. */
const group = new ProcessGroup();

beforeAll(async () => {
  const stackEnv = inject('stackEnv');
  env = {
    ...stackEnv,
    TEMPORAL_NAMESPACE: await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!, 'processes'),
    METRICS_TOKEN,
  };
  // Both poll `system`, so both declare the sweep schedules, at the same moment.
  workers = await Promise.all([
    startChildWorker(
      { ...env, WORKER_QUEUES: 'generation,system' },
      { name: 'worker-a', metricsPort: await freePort(), group },
    ),
    startChildWorker(
      { ...env, WORKER_QUEUES: 'retention,privacy,billing,system' },
      { name: 'worker-b', metricsPort: await freePort(), group },
    ),
  ]);
  apis = await Promise.all([
    startChildApi(env, { name: 'api-1', group }),
    startChildApi(env, { name: 'api-2', group }),
  ]);
  observer = await startObserver(env);
  connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS! });
}, 180_000);

afterAll(async () => {
  await connection?.close();
  await group.stopAll();
  await observer?.close();
}, 60_000);

const em = () => observer.clients.orm.em.fork();

async function pollers(queue: string, type: 'workflow' | 'activity'): Promise<string[]> {
  const described = await connection.workflowService.describeTaskQueue({
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: { name: queue },
    taskQueueType:
      type === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (described.pollers ?? []).map((p) => p.identity ?? '').sort();
}

describe('several worker processes', () => {
  it('polls only the queues each was given (WORKER_QUEUES), and both declared the sweep schedules at once', async () => {
    const [a, b] = workers.map((w) => `${w.pid}@${os.hostname()}`);
    await vi.waitFor(
      async () => {
        expect(await pollers(TASK_QUEUES.generation, 'workflow')).toEqual([a]);
        expect(await pollers(TASK_QUEUES.retention, 'activity')).toEqual([b]);
        expect(await pollers(TASK_QUEUES.privacy, 'workflow')).toEqual([b]);
        expect(await pollers(TASK_QUEUES.billing, 'workflow')).toEqual([b]);
        expect(await pollers(TASK_QUEUES.system, 'workflow')).toEqual([a, b].sort());
      },
      { timeout: 20_000, interval: 200 },
    );
    const ids: string[] = [];
    for await (const s of observer.clients.temporal.client.schedule.list()) ids.push(s.scheduleId);
    expect(ids.sort()).toEqual(SWEEP_SCHEDULES.map((s) => s.scheduleId).sort());
    for (const worker of workers) expect(await Promise.race([worker.exited, 'running'])).toBe('running');
  });
});

/** Two clients of one browser (same cookies, address and CSRF token), one per api. */
async function browserOnBoth(): Promise<[TestClient, TestClient]> {
  const first = new TestClient(apis[0]!.url);
  const second = new TestClient(apis[1]!.url, first.ip);
  await first.refreshCsrf();
  for (const [name, value] of first.cookies) second.cookies.set(name, value);
  second.csrfToken = first.csrfToken;
  return [first, second];
}

describe('a worker for chosen queues', () => {
  it('refuses at start-up a queue that does not exist, naming it (exit code 78)', async () => {
    const child = spawn(process.execPath, ['worker/main.ts'], {
      env: { ...process.env, ...env, WORKER_QUEUES: 'generation,renders' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain(
      'WORKER_QUEUES: "renders" is not a task queue (generation, retention, privacy, billing, system)',
    );
  });
});

describe('several api processes', () => {
  it('makes one job of an Idempotency-Key sent to both apis at once', async () => {
    const account = await signedIn(observer.platformAt(apis[0]!.url), { credits: 100 });
    const other = new TestClient(apis[1]!.url, account.client.ip);
    for (const [name, value] of account.client.cookies) other.cookies.set(name, value);
    other.csrfToken = account.client.csrfToken;
    for (let i = 0; i < 4; i++) {
      const key = randomUUID();
      const body = jobRequest();
      const answers = await Promise.all([createJob(account.client, body, key), createJob(other, body, key)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 201]);
      const [x, y] = await Promise.all(answers.map(json));
      expect(x.id).toBe(y.id);
      expect(await em().count(GenerationJob, { idempotencyKey: key })).toBe(1);
      expect(await em().count(CreditLedgerEntry, { jobId: x.id, kind: 'reserve' })).toBe(1);
    }
  });

  it('counts a rate limit once across both apis', async () => {
    const [first, second] = await browserOnBoth();
    const statuses: number[] = [];
    // Sign-in allows 10 tries per address in 15 minutes, wherever they land.
    for (let i = 0; i < 12; i++) {
      const client = i % 2 === 0 ? first : second;
      const res = await client.post('/api/auth/sign-in', {
        email: uniqueEmail(),
        password: 'wrong password',
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('streams a job’s live view from one api while the other created it (each listens for itself)', async () => {
    const account = await signedIn(observer.platformAt(apis[0]!.url), { credits: 20 });
    const job = await json(await createJob(account.client, jobRequest()));
    const watcher = new TestClient(apis[1]!.url, account.client.ip);
    for (const [name, value] of account.client.cookies) watcher.cookies.set(name, value);
    const res = await watcher.get(`/api/jobs/${job.id}/events`);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter((e) => e.startsWith('event: progress'))
      .map((e) => JSON.parse(e.split('\ndata: ')[1]!));
    expect(events.length).toBeGreaterThan(1);
    expect(events.at(-1).status).toBe('succeeded');
  });
});

describe('Stripe’s webhook on two api processes', () => {
  const deliver = (apiUrl: string, event: Record<string, unknown>) => {
    const payload = JSON.stringify(event);
    const signature = new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload,
      secret: observer.config.stripe.webhookSecret,
    });
    return fetch(`${apiUrl}/api/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    });
  };
  const paid = (sessionId: string) => ({
    id: `evt_${randomUUID()}`,
    object: 'event',
    type: 'checkout.session.completed',
    data: { object: { id: sessionId, object: 'checkout.session', payment_status: 'paid' } },
  });
  async function pendingPayment(credits: number) {
    const { user } = await signedIn(observer.platformAt(apis[0]!.url));
    const id = `cs_test_${randomUUID().replaceAll('-', '')}`;
    const e = em();
    e.create(Payment, { id, user: user.id, pack: 'starter', credits, amount: 500, currency: 'usd' });
    await e.flush();
    return { userId: user.id, sessionId: id };
  }

  it('adds a payment’s credits once when the same event reaches both apis at once', async () => {
    const { userId, sessionId } = await pendingPayment(70);
    const event = paid(sessionId);
    const answers = await Promise.all(apis.map((api) => deliver(api.url, event)));
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    expect((await Promise.all(answers.map(json))).filter((b) => b.duplicate)).toHaveLength(1);
    expect(await creditBalance(em(), userId)).toBe(70);
  });

  it('handles an event again when its first delivery failed half-way (the retry is not a duplicate)', async () => {
    const { userId, sessionId } = await pendingPayment(40);
    const event = paid(sessionId);
    // The person's row is locked, so the delivery stops at the ledger; then its
    // connection is cut, as a database restart would.
    const locker = new pg.Client({ connectionString: env.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('select 1 from users where id = $1 for update', [userId]);
      const first = deliver(apis[0]!.url, event);
      // (Read outside the locking transaction: inside one, pg_stat_activity is a snapshot.)
      const blocked = await vi.waitFor(
        async () => {
          const rows = await em().execute<{ pid: number }[]>(
            `select pid from pg_stat_activity where wait_event_type = 'Lock' and query like '%credit_balance%'`,
          );
          expect(rows).toHaveLength(1);
          return rows[0]!.pid;
        },
        { timeout: 10_000, interval: 50 },
      );
      await em().execute('select pg_terminate_backend(?)', [blocked]);
      // The database not answering the delivery: 503, and Stripe tries again.
      const failed = await first;
      expect(failed.status).toBe(503);
      expect(await json(failed)).toMatchObject({ error: { code: 'service_unavailable' } });
      await locker.query('rollback');
    } finally {
      await locker.end();
    }
    expect(await creditBalance(em(), userId)).toBe(0);
    // Stripe delivers it again, to whichever api.
    const retried = await deliver(apis[1]!.url, event);
    expect(retried.status).toBe(200);
    expect((await json(retried)).duplicate).toBeUndefined();
    expect(await creditBalance(em(), userId)).toBe(40);
    expect((await em().findOneOrFail(Payment, { id: sessionId })).status).toBe('paid');
  });
});

describe('metrics', () => {
  it('each worker serves the Temporal SDK’s metrics: slots, schedule-to-start, sticky cache, the pool', async () => {
    // Some work for worker a: a job's workflow and activity tasks.
    const account = await signedIn(observer.platformAt(apis[0]!.url), { credits: 20 });
    const job = await json(await createJob(account.client, jobRequest()));
    expect((await waitForJob(account.client, job.id)).status).toBe('succeeded');
    const texts = await Promise.all(workers.map(async (w) => (await fetch(w.metricsUrl!)).text()));
    const [a] = texts;
    for (const name of [
      'temporal_worker_task_slots_available',
      'temporal_workflow_task_schedule_to_start_latency_bucket',
      'temporal_activity_schedule_to_start_latency_bucket',
      'temporal_sticky_cache_size',
      'temporal_sticky_cache_hit',
      'temporal_request',
      'clipwise_db_pool_connections',
    ]) {
      expect(a, name).toMatch(new RegExp(`^${name}\\{`, 'm'));
    }
    // Per queue: worker a's slots for the generation queue, and only its own queues.
    expect(a).toMatch(/^temporal_worker_task_slots_available\{[^}]*task_queue="generation"/m);
    expect(a).not.toMatch(/task_queue="retention"/);
    expect(texts[1]).toMatch(/^temporal_worker_task_slots_available\{[^}]*task_queue="retention"/m);
  });

  it('the api times each request by route pattern, method and status, with no id in any label', async () => {
    const account = await signedIn(observer.platformAt(apis[0]!.url), { credits: 20 });
    const missing = randomUUID();
    expect((await account.client.get(`/api/jobs/${missing}`)).status).toBe(404);
    expect((await fetch(`${apis[0]!.url}/no/such/${missing}`)).status).toBe(404);
    const res = await fetch(`${apis[0]!.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /^http_request_duration_seconds_bucket\{le="[^"]+",route="\/api\/jobs\/:id",method="GET",status="404"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{route="\/api\/auth\/sign-in",method="POST",status="200"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^http_request_duration_seconds_count\{route="unmatched",method="GET",status="404"\} [1-9]/m,
    );
    expect(text).toMatch(/^clipwise_db_pool_connections\{state="total"\} \d+/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).not.toContain(missing);
    expect(text).not.toContain(account.user.id);
  });

  it('serves /metrics only to a direct loopback connection or with the metrics token', async () => {
    const url = `${apis[1]!.url}/metrics`;
    // Through a proxy (the site's server forwards /api/* only, but any proxy would say so).
    expect((await fetch(url, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(403);
    expect((await fetch(url, { headers: { authorization: 'Bearer not-the-token-at-all' } })).status).toBe(
      403,
    );
    const withToken = await fetch(url, {
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain('http_request_duration_seconds');
  });
});

describe('a lost LISTEN connection', () => {
  it('comes back by itself however long the database is away, and tells subscribers to read again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-listen-'));
    await chmod(dir, 0o755); // PostgreSQL runs as its own user when we are root
    const port = await freePort();
    const start = () =>
      startPostgres({
        port,
        dataDir: path.join(dir, 'pg'),
        database: 'listen',
        ephemeral: true,
        log: silentLog,
      });
    let postgres = await start();
    const warnings: string[] = [];
    const notifications = createNotifications(postgres.url, {
      warn: (_meta: unknown, message?: string) => void warnings.push(String(message)),
      info: () => {},
    } as never);
    const notify = async () => {
      const c = new pg.Client({ connectionString: postgres.url });
      await c.connect();
      await c.query(`select pg_notify('live', 'row-1')`);
      await c.end();
    };
    try {
      let heard = 0;
      await notifications.subscribe('live', 'row-1', () => heard++);
      await notify();
      await vi.waitFor(() => expect(heard).toBe(1));
      await postgres.stop();
      // Several attempts fail while it is down; none gives up.
      await vi.waitFor(
        () => expect(warnings.filter((w) => w.includes('still down')).length).toBeGreaterThan(2),
        {
          timeout: 20_000,
          interval: 50,
        },
      );
      postgres = await start();
      // Reopened: subscribers are told to read again, and hear new notices.
      await vi.waitFor(() => expect(heard).toBeGreaterThan(1), { timeout: 20_000, interval: 50 });
      const before = heard;
      await notify();
      await vi.waitFor(() => expect(heard).toBe(before + 1));
    } finally {
      await notifications.close();
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
