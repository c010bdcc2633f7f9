// The proof that the production engine scales out and survives its faults: temporal-server
// on PostgreSQL (a stack of this file's own), two worker processes and two api
// processes (`node worker/main.ts`, `node api/main.ts`), 100 generation jobs through the
// provider simulator spread over both apis with Idempotency-Keys, 1,000 retention
// workflows with timers seconds away, and rights requests confirmed with their emailed
// codes. Meanwhile a worker is killed with SIGKILL (and started again), the Temporal
// server is restarted, and so is PostgreSQL. Then every job must have ended as it
// should, charged exactly and submitted once; the ledger balance; every due object be
// gone with its proof and nothing left in the bucket; every request finished.
// SCALE_LOG=1 prints the objects' progress every 5 s (and STACK_LOG=1 every process's log).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { Connection } from '@temporalio/client';
import { Asset, DeletionProof, GenerationJob, RightsRequest } from '../../db/entities/index.ts';
import { findModel, quoteCredits } from '../../domain/models.ts';
import { creditBalance } from '../../stores/billing.ts';
import { ProcessGroup, freePort } from '../../scripts/stack/process.ts';
import { SWEEP_SCHEDULES } from '../../worker/schedules.ts';
import { createAccount, signIn } from '../support/accounts.ts';
import { TestClient } from '../support/client.ts';
import { jobRequest } from '../support/generation.ts';
import { json } from '../support/http.ts';
import {
  startChildApi,
  startChildWorker,
  startObserver,
  type ChildApi,
  type ChildWorker,
  type Observer,
} from '../support/processes.ts';
import {
  inLanes,
  listBucket,
  rightsRequestCode,
  sameBrowser,
  simulatorEnv,
  storeDueAssets,
  untilAnswered,
  watchReadiness,
} from '../support/scale.ts';
import { startProviderSimulator, type ProviderSimulator } from '../support/simulator/index.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

const CREATORS = 10;
const JOBS_PER_CREATOR = 10;
const JOBS = CREATORS * JOBS_PER_CREATOR;
const DUE_ASSETS = 1_000;
/** Objects of the person who asks for erasure: due in a day, deleted by the request. */
const ERASED_ASSETS = 20;
/** Each due object's timer fires this long after the storing starts, plus up to 20 s more. */
const TIMER_MS = 20_000;
const MODEL = 'luma-ray-flash-2';
const JOB = { modelId: MODEL, durationSeconds: 5, resolution: '540p', aspectRatio: '16:9' } as const;
const PRICE = quoteCredits(findModel(MODEL)!, JOB);
const GRANT = PRICE * JOBS_PER_CREATOR + 25;
const RIGHTS_REQUESTS = [
  { type: 'access', jurisdiction: 'GDPR' },
  { type: 'restriction', jurisdiction: 'GDPR' },
  { type: 'objection', jurisdiction: 'GDPR', purposes: ['marketing'] },
  { type: 'deletion', jurisdiction: 'CCPA' },
] as const;

let stack: TestStack;
let simulator: ProviderSimulator;
let env: Record<string, string>;
let apis: ChildApi[] = [];
let workers: ChildWorker[] = [];
let observer: Observer;
/** What the run made, for the checks after it. */
const made = {
  creators: [] as { id: string; client: TestClient }[],
  jobIds: [] as string[],
  assets: [] as { id: string; objectKey: string }[],
  requests: [] as { id: string; userId: string; type: string }[],
};
const timeline: Record<string, number> = {};
let t0 = 0;
const mark = (what: string) => {
  timeline[what] = Math.round((performance.now() - t0) / 100) / 10;
};
let retries = 0;
/** Seconds each api answered /readyz with "not ready" around each restart. */
const notReady: Record<string, Record<string, number>> = {};

let ports: number[] = [];
const apiUrl = (i: number) => `http://127.0.0.1:${ports[i]}`;
/** A worker's environment: its provider callbacks reach one api each. */
const workerEnv = (api: number) => ({ ...env, PUBLIC_API_URL: apiUrl(api) });
/** Every child joins it at its spawn, so none outlives the file, even after a failed start. */
const group = new ProcessGroup();
const startWorker = (i: number) => startChildWorker(workerEnv(i), { name: `worker-${'ab'[i]}`, group });

beforeAll(async () => {
  t0 = performance.now();
  [stack, simulator] = await Promise.all([
    startTestStack({ engine: 'server' }),
    startProviderSimulator({ faults: { queueMs: 100, renderMs: 400 } }),
  ]);
  mark('stack ready');
  env = {
    ...stack.env,
    TEMPORAL_NAMESPACE: stack.temporalServer!.namespace,
    // The run's prebuilt workflow bundle: the workers load it instead of bundling.
    WORKFLOW_BUNDLE_PATH: inject('stackEnv').WORKFLOW_BUNDLE_PATH!,
    // Outputs and exports made during the run are due before its end, too.
    DURATION_OVERRIDES: 'output=15000,export=15000',
    ...simulatorEnv(simulator),
  };
  ports = [await freePort(), await freePort()];
  observer = await startObserver({ ...env, PUBLIC_API_URL: `http://127.0.0.1:${ports[0]}` });
}, 240_000);

afterAll(async () => {
  await group.stopAll();
  await observer?.close();
  await simulator?.stop();
  await stack?.stop();
}, 120_000);

/** Two apis and two workers, as a deployment starts them. */
async function startProcesses(): Promise<void> {
  [apis, workers] = await Promise.all([
    Promise.all(
      ports.map((port, i) =>
        startChildApi({ ...env, PUBLIC_API_URL: apiUrl(i) }, { name: `api-${i + 1}`, port, group }),
      ),
    ),
    Promise.all([startWorker(0), startWorker(1)]),
  ]);
}

const em = () => observer.clients.orm.em.fork();
const clientOn = (api: number, ip?: string) => new TestClient(apiUrl(api), ip);

/** 100 jobs, each creator's spread over both apis; a cut-short create is sent again with its key. */
async function submitJobs(): Promise<void> {
  const plan = made.creators.flatMap((creator, c) =>
    Array.from({ length: JOBS_PER_CREATOR }, (_, j) => ({ creator, api: (c + j) % 2, key: randomUUID() })),
  );
  made.jobIds = await inLanes(plan, 6, async ({ creator, api, key }) => {
    const client = api === 0 ? creator.client : sameBrowser(creator.client, (ip) => clientOn(1, ip));
    const res = await untilAnswered(
      () => client.request('POST', '/api/jobs', jobRequest(JOB), { 'idempotency-key': key }),
      { onRetry: () => retries++ },
    );
    expect([200, 201]).toContain(res.status);
    return (await json(res)).id as string;
  });
}

async function storeAssets(owners: string[]): Promise<void> {
  const plan = Array.from({ length: DUE_ASSETS }, (_, i) => ({
    userId: owners[i % owners.length]!,
    // The timers fall due from 20 s after the storing starts, over 20 s.
    deleteAt: new Date(Date.now() + TIMER_MS + (i % 20) * 1000),
  }));
  made.assets.push(...(await storeDueAssets(observer.clients, plan)));
}

/** Each request as the site makes it, confirmed with the code from its email. */
async function makeRequests(): Promise<void> {
  await inLanes(RIGHTS_REQUESTS, 2, async (body, i) => {
    const user = await createAccount(observer.platformAt(apiUrl(i % 2)));
    if (body.type === 'deletion') {
      const dayAway = new Date(Date.now() + 24 * 3600_000);
      const plan = Array.from({ length: ERASED_ASSETS }, () => ({ userId: user.id, deleteAt: dayAway }));
      made.assets.push(...(await storeDueAssets(observer.clients, plan)));
    }
    const client = await signIn(observer.platformAt(apiUrl(i % 2)), user);
    const created = await untilAnswered(() => client.post('/api/privacy/requests', body));
    expect(created.status).toBe(201);
    const request = await json(created);
    const code = await rightsRequestCode(stack.mailWebUrl, user.email);
    const other = sameBrowser(client, (ip) => clientOn((i + 1) % 2, ip));
    const verified = await untilAnswered(() =>
      other.post(`/api/privacy/requests/${request.id}/verify`, { code }),
    );
    expect(verified.status).toBe(200);
    made.requests.push({ id: request.id, userId: user.id, type: body.type });
  });
}

describe('the production engine scaled out, under faults', () => {
  it('runs 100 jobs, 1,000 timers and rights requests on two workers and two apis while a worker is killed and the engine and PostgreSQL restart', async () => {
    const progress = process.env.SCALE_LOG
      ? setInterval(() => {
          void em()
            .execute<{ what: string; status: string; n: string }[]>(
              `select 'asset' as what, status, count(*) n from assets group by status
               union all select 'job', status, count(*) from generation_jobs group by status`,
            )
            .then(
              (rows) =>
                console.log(
                  Math.round((performance.now() - t0) / 1000),
                  rows.map((r) => `${r.what} ${r.status} ${r.n}`).join(', '),
                ),
              () => {},
            );
        }, 5000)
      : undefined;
    // The objects go in while the processes start (their timers wait for a worker anyway).
    const accounts = await inLanes(Array.from({ length: CREATORS }), 2, (_, i) =>
      createAccount(observer.platformAt(apiUrl(i % 2)), { credits: GRANT }),
    );
    const stored = storeAssets(accounts.map((a) => a.id)).then(() => mark('objects stored'));
    await startProcesses();
    mark('processes ready');
    made.creators = await inLanes(accounts, 2, async (user, i) => ({
      id: user.id,
      client: await signIn(observer.platformAt(apiUrl(i % 2)), user),
    }));
    mark('creators signed in');
    const submitted = Promise.all([
      stored,
      submitJobs().then(() => mark('jobs created')),
      makeRequests().then(() => mark('requests confirmed')),
    ]);

    // Fault 1: a worker dies mid-work (provider calls under way), and is started again.
    await vi.waitFor(() => expect(simulator.submissions()).toBeGreaterThanOrEqual(JOBS / 4), {
      timeout: 120_000,
      interval: 100,
    });
    await workers[0]!.kill();
    mark('worker-a killed');
    const restarted = startWorker(0).then((worker) => {
      workers[0] = worker;
      mark('worker-a started again');
    });
    await Promise.all([submitted, restarted]);

    // Fault 2: the Temporal server restarts while timers are pending.
    expect(await em().count(Asset, { status: 'stored' })).toBeGreaterThan(DUE_ASSETS / 2);
    let watching = watchReadiness(apis);
    await stack.restart('temporal');
    mark('temporal-server restarted');
    await vi.waitFor(async () => expect((await fetch(`${apis[1]!.url}/readyz`)).ok).toBe(true), {
      timeout: 60_000,
      interval: 250,
    });
    notReady.temporal = await watching();

    // Fault 3: PostgreSQL restarts (the platform's and Temporal's databases alike).
    watching = watchReadiness(apis);
    await stack.restart('postgres');
    mark('postgres restarted');
    await vi.waitFor(async () => expect((await fetch(`${apis[0]!.url}/readyz`)).ok).toBe(true), {
      timeout: 60_000,
      interval: 250,
    });
    notReady.postgres = await watching();

    await vi.waitFor(
      async () => {
        const ended = await em().count(GenerationJob, {
          id: { $in: made.jobIds },
          status: { $in: ['succeeded', 'failed', 'cancelled', 'rejected'] },
        });
        expect(ended).toBe(JOBS);
      },
      { timeout: 180_000, interval: 500 },
    );
    mark('jobs ended');
    await vi.waitFor(
      async () => {
        const open = await em().count(RightsRequest, {
          id: { $in: made.requests.map((r) => r.id) },
          status: { $nin: ['completed', 'rejected', 'expired', 'cancelled'] },
        });
        expect(open).toBe(0);
      },
      { timeout: 120_000, interval: 500 },
    );
    mark('requests finished');
    await vi.waitFor(
      async () => {
        const [row] = await em().execute<{ open: string }[]>(
          `select count(*) as open from assets where status <> 'deleted'`,
        );
        expect(Number(row!.open)).toBe(0);
      },
      { timeout: 240_000, interval: 1000 },
    );
    mark('objects deleted');
    clearInterval(progress);
    console.log(
      JSON.stringify({
        scaleOut: {
          jobs: JOBS,
          dueObjects: made.assets.length,
          requests: made.requests.length,
          retries,
          notReady,
          timeline,
        },
      }),
    );
  }, 600_000);

  it('kept every platform process running through the database and engine restarts', async () => {
    for (const child of [...apis, ...workers]) {
      expect(await Promise.race([child.exited, Promise.resolve('running')]), child.name).toBe('running');
    }
    for (const api of apis) expect((await fetch(`${api.url}/readyz`)).status, api.name).toBe(200);
  });

  it('ended every job as it should: succeeded, charged its price, submitted to the provider once', async () => {
    const jobs = await em().find(GenerationJob, { id: { $in: made.jobIds } });
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.filter((j) => j.status !== 'succeeded').map((j) => [j.id, j.status, j.failureCode])).toEqual(
      [],
    );
    for (const job of jobs) {
      expect(job.creditsQuoted, job.id).toBe(PRICE);
      expect(job.creditsCharged, job.id).toBe(PRICE);
    }
    // One provider task per job, and no task the jobs do not account for.
    const taskIds = simulator.tasks('luma').map((t) => t.id);
    expect(simulator.submissions()).toBe(JOBS);
    expect(new Set(taskIds).size).toBe(JOBS);
    expect(new Set(jobs.map((j) => j.providerTaskId))).toEqual(new Set(taskIds));
  });

  it('balances the ledger: for every job reserved = captured + released, and each balance is exact', async () => {
    const rows = await em().execute<
      { job_id: string; reserved: string; captured: string; released: string }[]
    >(
      `select job_id,
              sum(credits) filter (where kind = 'reserve') as reserved,
              coalesce(sum(credits) filter (where kind = 'capture'), 0) as captured,
              coalesce(sum(credits) filter (where kind = 'release'), 0) as released
         from credit_ledger where job_id is not null group by job_id`,
    );
    expect(rows).toHaveLength(JOBS);
    for (const row of rows) {
      expect(Number(row.reserved), row.job_id).toBe(Number(row.captured) + Number(row.released));
    }
    for (const creator of made.creators) {
      expect(await creditBalance(em(), creator.id)).toBe(GRANT - PRICE * JOBS_PER_CREATOR);
    }
  });

  it('deleted every due object with a proof, and left nothing in the bucket', async () => {
    const proofs = await em().find(DeletionProof, { assetId: { $in: made.assets.map((a) => a.id) } });
    const proved = new Map(proofs.map((p) => [p.assetId, p]));
    expect(made.assets.filter((a) => !proved.has(a.id)).map((a) => a.id)).toEqual([]);
    for (const asset of made.assets) {
      const proof = proved.get(asset.id)!;
      const ownerId = asset.objectKey.split('/')[1]!;
      // A deleted account's proofs name the owner by pseudonym where the key held the id.
      expect(proof.objectKey).toBe(
        proof.ownerId ? asset.objectKey : asset.objectKey.replace(ownerId, proof.ownerPseudonym!),
      );
    }
    // Every proof says the object's absence was checked.
    expect(proofs.every((p) => p.verifiedAt instanceof Date)).toBe(true);
    const [withoutProof] = await em().execute<{ n: string }[]>(
      `select count(*) as n from assets a where not exists (select 1 from deletion_proofs d where d.asset_id = a.id)`,
    );
    expect(Number(withoutProof!.n)).toBe(0);
    // The bucket holds no object at all: none due left behind, no orphan, no half upload.
    expect(await listBucket(observer.clients)).toEqual({ keys: [], multipart: 0 });
  });

  it('finished every rights request, and left no workflow open but the sweeps', async () => {
    const requests = await em().find(RightsRequest, { id: { $in: made.requests.map((r) => r.id) } });
    expect(requests.map((r) => r.status)).toEqual(requests.map(() => 'completed'));
    const connection = await Connection.connect({ address: stack.temporalServer!.address });
    try {
      await vi.waitFor(
        async () => {
          const open = await connection.workflowService.listWorkflowExecutions({
            namespace: env.TEMPORAL_NAMESPACE,
            query: `ExecutionStatus = 'Running'`,
            pageSize: 1000,
          });
          const ids = open.executions.map((e) => e.execution?.workflowId ?? '');
          const sweeps = SWEEP_SCHEDULES.map((s) => s.scheduleId);
          const left = ids.filter((id) => !sweeps.some((s) => id.startsWith(s)));
          if (left.length && process.env.SCALE_LOG) {
            for (const id of left.slice(0, 3)) {
              const d = await observer.clients.temporal.client.workflow.getHandle(id).describe();
              console.log(id, d.status.name, d.closeTime, JSON.stringify(d.raw.pendingWorkflowTask ?? null));
            }
          }
          expect(left).toEqual([]);
        },
        { timeout: 30_000, interval: 500 },
      );
    } finally {
      await connection.close();
    }
  });
});
