// Retention at scale: N stored objects whose retention timers all fall due at the same
// moment, on a stack this script starts itself, deleted by one worker process. Prints
// how late the last deletion was after the due moment, deletions per second, and the
// peak memory of the worker and of the Temporal server. Figures only: never pass/fail.
//
//   node bench/retention.ts [--assets 5000] [--concurrency 64]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../config/index.ts';
import { Asset, User } from '../db/entities/index.ts';
import { assetObjectKey } from '../domain/retention.ts';
import { SECOND } from '../domain/time.ts';
import { startRetention } from '../clients/retention.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { buildWorkflowBundle } from '../worker/workers.ts';
import { startTestStack } from '../tests/support/stack.ts';

const { values } = parseArgs({
  options: {
    assets: { type: 'string', default: process.env.BENCH_ASSETS ?? '5000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const N = Number(values.assets);
const CONCURRENCY = Number(values.concurrency);
/**
 * Time allowed to start every workflow before the common due moment, so the figures
 * measure timers firing together, not starts (about 36 starts/s on a busy 2-core machine).
 */
const START_BUDGET_PER_ASSET_MS = 50;
const START_BUDGET_BASE_MS = 60 * SECOND;
const GIVE_UP_AFTER_MS = 15 * 60 * SECOND;

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Resident set size now and its peak (VmHWM), in MiB, from /proc. */
async function memoryOf(pid: number | undefined): Promise<{ rss: number; hwm: number } | null> {
  if (!pid) return null;
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

const log = (message: string) => process.stderr.write(`[bench:retention] ${message}\n`);

log(`starting a stack for ${N} assets`);
const stack = await startTestStack();
const work = await mkdtemp(path.join(os.tmpdir(), 'clipwise-bench-'));
const bundlePath = path.join(work, 'workflow-bundle.js');
await writeFile(bundlePath, await buildWorkflowBundle(createLogger({ level: 'warn', name: 'bundle' })));
const env = { ...process.env, ...stack.env, LOG_LEVEL: 'warn', WORKFLOW_BUNDLE_PATH: bundlePath };
const config = loadConfig(env);
const clients = await createClients(config, createLogger({ level: 'warn', name: 'bench' }));

// One worker process, as in production, so its memory is its own.
const worker = spawn(process.execPath, [fileURLToPath(new URL('../worker/main.ts', import.meta.url))], {
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
const temporalPid = (stack.services.temporal as { child?: { pid?: number } }).child?.pid;

let peakWorker = 0;
let peakTemporal = 0;
const sampler = setInterval(() => {
  void memoryOf(worker.pid).then((m) => (peakWorker = Math.max(peakWorker, m?.rss ?? 0)));
  void memoryOf(temporalPid).then((m) => (peakTemporal = Math.max(peakTemporal, m?.rss ?? 0)));
}, 250);

try {
  const em = clients.orm.em.fork();
  const userId = randomUUID();
  await em.insert(User, {
    id: userId,
    email: `bench-${userId}@example.test`,
    name: 'Bench',
    role: 'creator',
    status: 'active',
    preferences: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  });

  const ids = Array.from({ length: N }, () => randomUUID());
  const prepared = Date.now();
  const dueAt = new Date(prepared + START_BUDGET_BASE_MS + N * START_BUDGET_PER_ASSET_MS);
  const body = Buffer.alloc(1024, 7);
  log(`storing ${N} objects and rows, all due at ${dueAt.toISOString()}`);
  await inParallel(ids, CONCURRENCY, async (id) => {
    await clients.store.client.send(
      new PutObjectCommand({
        Bucket: clients.store.bucket,
        Key: assetObjectKey(userId, 'output', id),
        Body: body,
        ServerSideEncryption: clients.store.serverSideEncryption,
      }),
    );
  });
  for (let i = 0; i < ids.length; i += 500) {
    await em.insertMany(
      Asset,
      ids.slice(i, i + 500).map((id) => ({
        id,
        user: userId,
        kind: 'output' as const,
        status: 'stored' as const,
        objectKey: assetObjectKey(userId, 'output', id),
        contentType: 'application/octet-stream',
        sizeBytes: body.length,
        createdAt: new Date(),
        storedAt: new Date(),
        deleteAt: dueAt,
      })),
    );
  }
  log('starting retention workflows');
  await inParallel(ids, CONCURRENCY, async (id) => {
    await startRetention(clients.temporal.client, {
      id,
      user: userId,
      kind: 'output',
      objectKey: assetObjectKey(userId, 'output', id),
      deleteAt: dueAt,
    });
  });
  const startedAll = Date.now();
  if (startedAll > dueAt.getTime())
    log(`warning: starting took past the due moment by ${startedAll - dueAt.getTime()} ms`);

  log(`waiting for the due moment and the deletions`);
  const deadline = dueAt.getTime() + GIVE_UP_AFTER_MS;
  let deleted = 0;
  while (Date.now() < deadline) {
    deleted = await clients.orm.em.fork().count(Asset, { user: userId, status: 'deleted' });
    if (deleted === N) break;
    await sleep(500);
  }
  interface LatenessRow {
    first: Date | null;
    last: Date | null;
    p50: number | null;
    p95: number | null;
    fired_p50: number | null;
    fired_p95: number | null;
    work_p50: number | null;
    work_p95: number | null;
  }
  // Lateness split in two, from each deletion's proof: due -> the workflow asks for the
  // deletion (requested_at), and asked -> object verified gone (deleted_at).
  const [row] = await clients.orm.em.getConnection().execute<LatenessRow[]>(
    `select min(a.deleted_at) as first, max(a.deleted_at) as last,
            percentile_cont(0.5) within group (order by extract(epoch from a.deleted_at - a.delete_at) * 1000) as p50,
            percentile_cont(0.95) within group (order by extract(epoch from a.deleted_at - a.delete_at) * 1000) as p95,
            percentile_cont(0.5) within group (order by extract(epoch from p.requested_at - a.delete_at) * 1000) as fired_p50,
            percentile_cont(0.95) within group (order by extract(epoch from p.requested_at - a.delete_at) * 1000) as fired_p95,
            percentile_cont(0.5) within group (order by extract(epoch from p.deleted_at - p.requested_at) * 1000) as work_p50,
            percentile_cont(0.95) within group (order by extract(epoch from p.deleted_at - p.requested_at) * 1000) as work_p95
       from assets a join deletion_proofs p on p.asset_id = a.id
      where a.user_id = ? and a.status = 'deleted'`,
    [userId],
  );
  const workerMem = await memoryOf(worker.pid);
  const temporalMem = await memoryOf(temporalPid);
  const last = row?.last ? new Date(row.last).getTime() : NaN;
  const first = row?.first ? new Date(row.first).getTime() : NaN;
  const result = {
    bench: 'retention',
    assets: N,
    deleted,
    dueAt: dueAt.toISOString(),
    startedAllBeforeDueMs: dueAt.getTime() - startedAll,
    firstDeletionAfterDueMs: Math.round(first - dueAt.getTime()),
    lastDeletionAfterDueMs: Math.round(last - dueAt.getTime()),
    p50LatenessMs: Math.round(Number(row?.p50 ?? NaN)),
    p95LatenessMs: Math.round(Number(row?.p95 ?? NaN)),
    dueToRequestP50Ms: Math.round(Number(row?.fired_p50 ?? NaN)),
    dueToRequestP95Ms: Math.round(Number(row?.fired_p95 ?? NaN)),
    requestToGoneP50Ms: Math.round(Number(row?.work_p50 ?? NaN)),
    requestToGoneP95Ms: Math.round(Number(row?.work_p95 ?? NaN)),
    loadAverage1m: Math.round(os.loadavg()[0]! * 10) / 10,
    deletionsPerSecond: Math.round((deleted / ((last - dueAt.getTime()) / 1000)) * 10) / 10,
    workerPeakRssMiB: Math.round(Math.max(peakWorker, workerMem?.hwm ?? 0)),
    temporalPeakRssMiB: Math.round(Math.max(peakTemporal, temporalMem?.hwm ?? 0)),
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(result));
  const rows: [string, string][] = [
    ['assets due at one moment', `${result.assets} (${result.deleted} deleted)`],
    ['first deletion after due', `${result.firstDeletionAfterDueMs} ms`],
    ['last deletion after due', `${result.lastDeletionAfterDueMs} ms`],
    ['lateness p50 / p95', `${result.p50LatenessMs} / ${result.p95LatenessMs} ms`],
    ['  due -> deletion asked p50 / p95', `${result.dueToRequestP50Ms} / ${result.dueToRequestP95Ms} ms`],
    ['  asked -> verified gone p50 / p95', `${result.requestToGoneP50Ms} / ${result.requestToGoneP95Ms} ms`],
    ['deletions per second', String(result.deletionsPerSecond)],
    ['worker peak RSS', `${result.workerPeakRssMiB} MiB`],
    ['Temporal server peak RSS', `${result.temporalPeakRssMiB} MiB`],
    ['machine load (1 min) at the end', `${result.loadAverage1m} on ${result.cpus} CPUs`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
} finally {
  clearInterval(sampler);
  worker.kill('SIGTERM');
  await new Promise((resolve) => (worker.exitCode !== null ? resolve(null) : worker.once('exit', resolve)));
  await clients.close();
  await stack.stop();
  await rm(work, { recursive: true, force: true });
}
