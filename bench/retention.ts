// Retention at scale: N stored objects whose retention timers all fall due at the same
// moment, deleted by the platform's own worker process polling only the retention queue
// (worker/main.ts with WORKER_QUEUES=retention), on a Temporal dev server keeping its
// state in a SQLite file as `npm start` runs it. The worker's and Temporal's memory are
// sampled from /proc all along. Then, in the same run, the same deletions of N other
// objects (the retention activity, in its batches: hold check, S3 delete, the check the
// object is gone, the proof row) by a plain loop in a process of its own, at the concurrency the
// worker deletes at (its local activity slots, worker/tuning.ts), without Temporal.
// Actions per asset are counted from every retention workflow's history. Prints one
// JSON line, then a table; never passes or fails on time.
//
//   node bench/retention.ts [--assets 5000] [--start-concurrency 64] [--lead-s <seconds before due>]
//                           [--engine dev|server]
//
// --engine server: Temporal is the production engine (temporal-server on the stack's
// PostgreSQL, tests/support/stack.ts) instead of the dev server on its SQLite file.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startRetention } from '../clients/retention.ts';
import { Asset, User } from '../db/entities/index.ts';
import { assetObjectKey } from '../domain/retention.ts';
import { TASK_QUEUES, workflowIds } from '../domain/temporal.ts';
import type { Clients } from '../platform/clients.ts';
import { TEMPORAL_ENGINE_NAMES, type TemporalEngine } from '../tests/support/stack.ts';
import { queueTuning } from '../worker/tuning.ts';
import { startChild } from './support/child.ts';
import { servicePid, startBenchStack } from './support/bench-stack.ts';
import { Started } from './support/started.ts';
import {
  RssSampler,
  cpuSecondsOf,
  cpuSecondsOfTree,
  inParallel,
  loadAverage,
  now,
  printTable,
  progress,
  round,
} from './support/figures.ts';
import {
  addCounts,
  billableActions,
  describeCounts,
  totalOf,
  waitsForItsTime,
  type ActionCounts,
} from './support/history.ts';
import { RETENTION_ONLY, startWorkerProcess } from './support/worker-process.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'dev' },
    assets: { type: 'string', default: process.env.BENCH_ASSETS ?? '5000' },
    'start-concurrency': { type: 'string', default: '64' },
    'lead-s': { type: 'string' },
  },
});
const N = Number(values.assets);
const START_CONCURRENCY = Number(values['start-concurrency']);
/**
 * Time from the first start to the common due moment: every workflow must be started
 * by then, or what is measured is the starts, not due workflows together. With the
 * start delay a start is one call and no workflow task (148 to 162 starts/s measured
 * at 64 at a time), so 20 ms an asset leaves three times that margin; the run warns
 * below if the due moment still comes first.
 */
const LEAD_MS = Number(values['lead-s'] ?? 30 + Math.ceil(N * 0.02)) * 1000;
const GIVE_UP_AFTER_MS = 20 * 60_000;
const ENGINE = values.engine as TemporalEngine;
if (ENGINE !== 'dev' && ENGINE !== 'server') throw new Error(`--engine is dev or server, not ${ENGINE}`);
const say = (m: string) => progress('retention', m);

const ENGINE_NAME = TEMPORAL_ENGINE_NAMES[ENGINE];

say(`starting a stack (Temporal: ${ENGINE_NAME}) for ${N} assets`);
const running = new Started();
try {
  const { stack, env, config, clients } = await startBenchStack(running, {
    engine: ENGINE,
    temporalFile: ENGINE === 'dev',
  });
  const temporalPid = servicePid(stack.services.temporal);
  // PostgreSQL and MinIO serve both sides' deletions: their CPU, with every backend and
  // helper they started, is counted for each phase, so the table shows a deletion's whole cost.
  const storePids = [servicePid(stack.services.postgres), servicePid(stack.services.s3)] as const;
  const storesCpu = () => Promise.all(storePids.map(cpuSecondsOfTree));
  const temporalRss = new RssSampler(temporalPid).start();
  const concurrency = queueTuning(TASK_QUEUES.retention, config).maxConcurrentLocalActivityExecutions!;
  const worker = running.add(
    await startWorkerProcess(env, { client: clients.temporal.client, ...RETENTION_ONLY }),
    (w) => w.stop(),
  );
  const workerRss = new RssSampler(worker.pid).start();
  const bare = running.add(
    await startChild<Record<string, never>>(new URL('./support/bare-deletions.ts', import.meta.url), env),
    (b) => b.stop(),
  );
  const bareRss = new RssSampler(bare.pid).start();
  const objectBody = Buffer.alloc(1024, 7);
  const timed = await storeAssets(clients, N, 'timed');
  const plain = await storeAssets(clients, N, 'bare');
  const dueAt = new Date(Date.now() + LEAD_MS);
  await clients.orm.em.fork().nativeUpdate(Asset, { user: timed.userId }, { deleteAt: dueAt });

  say(`starting ${N} retention workflows, all due at ${dueAt.toISOString()}`);
  const startsFrom = now();
  await inParallel(timed.ids, START_CONCURRENCY, async (id) => {
    await startRetention(clients.temporal.client, {
      id,
      user: timed.userId,
      kind: 'output',
      objectKey: assetObjectKey(timed.userId, 'output', id),
      deleteAt: dueAt,
    });
  });
  const startsTo = now();
  const startsPerS = N / ((startsTo - startsFrom) / 1000);
  say(`started at ${round(startsPerS)}/s; ${round((dueAt.getTime() - startsTo) / 1000)} s before due`);
  // Every workflow waits for its time once the last ones started do (a start delay, or
  // a timer their first task set).
  for (;;) {
    const unset = await Promise.all(
      timed.ids.slice(-50).map(async (id) => {
        const history = await clients.temporal.client.workflow
          .getHandle(workflowIds.retention(id))
          .fetchHistory();
        return !waitsForItsTime(history);
      }),
    );
    if (!unset.some(Boolean) || Date.now() > dueAt.getTime()) break;
    await sleep(1000);
  }
  const timersSetBeforeDueS = (dueAt.getTime() - Date.now()) / 1000;
  say(
    timersSetBeforeDueS > 0
      ? `every workflow waiting for its time, ${round(timersSetBeforeDueS)} s before due`
      : 'warning: the due moment came before every workflow was waiting for it',
  );
  const cpuAtDue = await Promise.all([cpuSecondsOf(worker.pid), cpuSecondsOf(temporalPid)]);
  const storesAtDue = await storesCpu();

  const deadline = dueAt.getTime() + GIVE_UP_AFTER_MS;
  let deleted = 0;
  const loadAtDue: string[] = [];
  while (Date.now() < deadline) {
    if (Date.now() >= dueAt.getTime() && loadAtDue.length === 0) loadAtDue.push(loadAverage());
    deleted = await clients.orm.em.fork().count(Asset, { user: timed.userId, status: 'deleted' });
    if (deleted === N) break;
    await sleep(500);
  }
  const loadAfter = loadAverage();
  const cpuAfter = await Promise.all([cpuSecondsOf(worker.pid), cpuSecondsOf(temporalPid)]);
  const storesAfter = await storesCpu();
  interface Lateness {
    first: Date;
    last: Date;
    p50: number;
    p95: number;
    fired_p50: number;
    fired_p95: number;
    work_p50: number;
    work_p95: number;
  }
  // Lateness of each deletion (object verified gone, asset row's deleted_at) after its
  // due time, and its two parts from the proof: due -> the workflow asks for the deletion
  // (requested_at, the timer's task), asked -> the object verified gone.
  const [late] = await clients.orm.em.getConnection().execute<Lateness[]>(
    `select min(a.deleted_at) as first, max(a.deleted_at) as last,
            percentile_cont(0.5) within group (order by extract(epoch from a.deleted_at - a.delete_at) * 1000) as p50,
            percentile_cont(0.95) within group (order by extract(epoch from a.deleted_at - a.delete_at) * 1000) as p95,
            percentile_cont(0.5) within group (order by extract(epoch from p.requested_at - a.delete_at) * 1000) as fired_p50,
            percentile_cont(0.95) within group (order by extract(epoch from p.requested_at - a.delete_at) * 1000) as fired_p95,
            percentile_cont(0.5) within group (order by extract(epoch from p.deleted_at - p.requested_at) * 1000) as work_p50,
            percentile_cont(0.95) within group (order by extract(epoch from p.deleted_at - p.requested_at) * 1000) as work_p95
       from assets a join deletion_proofs p on p.asset_id = a.id
      where a.user_id = ? and a.status = 'deleted'`,
    [timed.userId],
  );
  const due = dueAt.getTime();
  const lastLateMs = new Date(late!.last).getTime() - due;
  const firstLateMs = new Date(late!.first).getTime() - due;
  const deletionsPerS = deleted / (lastLateMs / 1000);
  const workerPeakDuringDeletions = workerRss.peakBetween(due, new Date(late!.last).getTime() + 1000);
  const workerPeakDuringStarts = workerRss.peakBetween(startsFrom, startsTo + 5000);

  say('counting actions in every retention workflow’s history');
  const actions: ActionCounts = {};
  await inParallel(timed.ids, 16, async (id) => {
    const history = await clients.temporal.client.workflow
      .getHandle(workflowIds.retention(id))
      .fetchHistory();
    addCounts(actions, billableActions(history));
  });

  say(`the same ${N} deletions in a plain loop, ${concurrency} at a time`);
  const bareLoad = loadAverage();
  const bareCpuBefore = await cpuSecondsOf(bare.pid);
  const bareStoresBefore = await storesCpu();
  const bareRun = await bare.ask<{ startedAt: number; endedAt: number; failed: number }>({
    assets: plain.ids.map((id) => ({
      assetId: id,
      userId: plain.userId,
      kind: 'output',
      objectKey: assetObjectKey(plain.userId, 'output', id),
    })),
    concurrency,
  });
  const bareDeletionsPerS = N / ((bareRun.endedAt - bareRun.startedAt) / 1000);
  const cpuMsPerDeletion = {
    // From the due moment to the last deletion: the timers' tasks and the deletions.
    worker: ((cpuAfter[0] - cpuAtDue[0]) * 1000) / N,
    temporal: ((cpuAfter[1] - cpuAtDue[1]) * 1000) / N,
    bare: (((await cpuSecondsOf(bare.pid)) - bareCpuBefore) * 1000) / N,
  };
  const bareStoresAfter = await storesCpu();
  const storesMsPerDeletion = (before: number[], after: number[]) =>
    before.map((b, i) => `${round(((after[i]! - b) * 1000) / N, 2)}`).join(' / ');

  const [workerPeak, temporalPeak, barePeak] = await Promise.all([
    workerRss.stop(),
    temporalRss.stop(),
    bareRss.stop(),
  ]);
  const result = {
    bench: 'retention',
    engine: ENGINE,
    assets: N,
    lastLateS: round(lastLateMs / 1000, 1),
    p50LateS: round(late!.p50 / 1000, 1),
    deletionsPerS: round(deletionsPerS, 1),
    workerPeakRssMiB: Math.round(workerPeak),
    temporalPeakRssMiB: Math.round(temporalPeak),
    actionsPerAsset: round(totalOf(actions) / N, 2),
    bareDeletionsPerS: round(bareDeletionsPerS, 1),
    ratio: round(deletionsPerS / bareDeletionsPerS, 2),
  };
  console.log(JSON.stringify(result));
  printTable(`${N} retention timers due at one moment (${ENGINE_NAME}; ${deleted} deleted)`, [
    [
      'workflow starts before due',
      `${round(startsPerS)}/s at ${START_CONCURRENCY} at a time; all started ${round((due - startsTo) / 1000)} s before due`,
    ],
    [
      'first / last deletion after due',
      `${round(firstLateMs / 1000, 1)} s / ${round(lastLateMs / 1000, 1)} s`,
    ],
    ['lateness p50 / p95', `${round(late!.p50 / 1000, 1)} s / ${round(late!.p95 / 1000, 1)} s`],
    [
      '  due -> deletion asked (timer task) p50 / p95',
      `${round(late!.fired_p50 / 1000, 1)} s / ${round(late!.fired_p95 / 1000, 1)} s`,
    ],
    ['  asked -> verified gone p50 / p95', `${round(late!.work_p50)} ms / ${round(late!.work_p95)} ms`],
    [
      'deletions/s (due -> last)',
      `${result.deletionsPerS} (worker: ${concurrency} local activities at a time)`,
    ],
    [
      'bare loop deletions/s',
      `${result.bareDeletionsPerS} (${concurrency} at a time; ${bareRun.failed} not deleted)`,
    ],
    ['ratio', String(result.ratio)],
    [
      'CPU ms per deletion: worker / Temporal / bare loop',
      `${round(cpuMsPerDeletion.worker, 2)} / ${round(cpuMsPerDeletion.temporal, 2)} / ${round(cpuMsPerDeletion.bare, 2)}`,
    ],
    [
      'CPU ms per deletion, PostgreSQL / MinIO: Temporal side / bare loop',
      `${storesMsPerDeletion(storesAtDue, storesAfter)} / ${storesMsPerDeletion(bareStoresBefore, bareStoresAfter)}`,
    ],
    ['actions per asset', `${result.actionsPerAsset}: ${describeCounts(actions, N)}`],
    [
      'worker peak RSS: whole run / starts / deletions',
      `${result.workerPeakRssMiB} / ${Math.round(workerPeakDuringStarts)} / ${Math.round(workerPeakDuringDeletions)} MiB`,
    ],
    ['Temporal server peak RSS', `${result.temporalPeakRssMiB} MiB`],
    ['bare loop process peak RSS', `${Math.round(barePeak)} MiB`],
    [
      'load average: at due / after deletions / before the bare loop',
      `${loadAtDue[0] ?? '?'} / ${loadAfter} / ${bareLoad}`,
    ],
  ]);

  /** N objects of 1 KiB in S3 with their asset rows, for a new user. */
  async function storeAssets(c: Clients, count: number, label: string) {
    const userId = randomUUID();
    await c.orm.em.fork().insert(User, {
      id: userId,
      email: `bench-${label}-${userId}@example.test`,
      name: 'Bench',
      role: 'creator',
      status: 'active',
      preferences: {},
      createdAt: new Date(),
      updatedAt: new Date(),
    });
    const ids = Array.from({ length: count }, () => randomUUID());
    say(`storing ${count} objects and rows (${label})`);
    await inParallel(ids, 32, async (id) => {
      await c.store.client.send(
        new PutObjectCommand({
          Bucket: c.store.bucket,
          Key: assetObjectKey(userId, 'output', id),
          Body: objectBody,
          ServerSideEncryption: c.store.serverSideEncryption,
        }),
      );
    });
    for (let i = 0; i < ids.length; i += 500) {
      await c.orm.em.fork().insertMany(
        Asset,
        ids.slice(i, i + 500).map((id) => ({
          id,
          user: userId,
          kind: 'output' as const,
          status: 'stored' as const,
          objectKey: assetObjectKey(userId, 'output', id),
          contentType: 'application/octet-stream',
          sizeBytes: objectBody.length,
          createdAt: new Date(),
          storedAt: new Date(),
          deleteAt: new Date(Date.now() + 7 * 86_400_000),
        })),
      );
    }
    return { userId, ids };
  }
} finally {
  await running.stopAll();
}
