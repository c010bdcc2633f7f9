// Pending timers on one box: N retention workflows whose timers are far in the future
// (30 days), started as the platform starts them (clients/retention.ts startRetention)
// at a high concurrency, held by the platform's own worker process polling only the
// retention queue (worker/main.ts with WORKER_QUEUES=retention), on a Temporal dev
// server keeping its state in a SQLite file as `npm start` runs it. The worker's and
// Temporal's RSS are sampled from /proc all along; after the last start the worker is
// kept running a while (--hold-s) to show whether its memory follows the number of
// pending timers (it should not: a sleeping retention workflow is not kept in memory,
// and since it is started with a start delay its first task has not even run).
// Prints one JSON line, then a table; never passes or fails on time.
//
//   node bench/timers.ts [--timers 100000] [--concurrency 128] [--hold-s 120]
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startRetention } from '../clients/retention.ts';
import { assetObjectKey } from '../domain/retention.ts';
import { workflowIds } from '../domain/temporal.ts';
import {
  RssSampler,
  cpuSecondsOf,
  loadAverage,
  now,
  printTable,
  progress,
  round,
} from './support/figures.ts';
import { servicePid, startBenchStack } from './support/bench-stack.ts';
import { Started } from './support/started.ts';
import { waitsForItsTime } from './support/history.ts';
import { RETENTION_ONLY, startWorkerProcess } from './support/worker-process.ts';

const { values } = parseArgs({
  options: {
    timers: { type: 'string', default: process.env.BENCH_TIMERS ?? '100000' },
    concurrency: { type: 'string', default: '128' },
    'hold-s': { type: 'string', default: '120' },
  },
});
const N = Number(values.timers);
const CONCURRENCY = Number(values.concurrency);
const HOLD_MS = Number(values['hold-s']) * 1000;
const say = (m: string) => progress('timers', m);

say(`starting a stack (Temporal dev server on a SQLite file) for ${N} pending timers`);
const running = new Started();
try {
  const { stack, env, clients } = await startBenchStack(running, { temporalFile: true });
  const temporalPid = servicePid(stack.services.temporal);
  const temporalRss = new RssSampler(temporalPid, 1000).start();
  const worker = running.add(
    await startWorkerProcess(env, { client: clients.temporal.client, ...RETENTION_ONLY }),
    (w) => w.stop(),
  );
  const workerRss = new RssSampler(worker.pid, 500).start();
  await sleep(3000);
  const idleMiB = workerRss.currentMiB;
  const userId = randomUUID();
  const deleteAt = new Date(Date.now() + 30 * 86_400_000);
  /** RSS of the worker and Temporal each time another tenth of the timers had been started. */
  const milestones: { started: number; workerMiB: number; temporalMiB: number; load: string }[] = [];
  const step = Math.max(1, Math.floor(N / 10));
  let started = 0;
  let next = 0;
  const lastIds: string[] = [];
  const cpuFrom = { worker: await cpuSecondsOf(worker.pid), temporal: await cpuSecondsOf(temporalPid) };
  const startsFrom = now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const id = randomUUID();
        await startRetention(clients.temporal.client, {
          id,
          user: userId,
          kind: 'output',
          objectKey: assetObjectKey(userId, 'output', id),
          deleteAt,
        });
        if (i >= N - 50) lastIds.push(id);
        if (++started % step === 0) {
          milestones.push({
            started,
            workerMiB: workerRss.currentMiB,
            temporalMiB: temporalRss.currentMiB,
            load: loadAverage(),
          });
          say(`${started} started, worker ${Math.round(workerRss.currentMiB)} MiB`);
        }
      }
    }),
  );
  const startsTo = now();
  const startsPerS = N / ((startsTo - startsFrom) / 1000);

  // Every workflow waits for its time once the last ones started do (their start delay,
  // or the timer their first task set).
  say('waiting for the last workflows to wait for their time');
  for (;;) {
    const pending = await Promise.all(
      lastIds.map(async (id) => {
        const history = await clients.temporal.client.workflow
          .getHandle(workflowIds.retention(id))
          .fetchHistory();
        return !waitsForItsTime(history);
      }),
    );
    if (!pending.some(Boolean)) break;
    await sleep(1000);
  }
  const timersSetAt = now();
  const cpuMsPerStart = {
    worker: (((await cpuSecondsOf(worker.pid)) - cpuFrom.worker) * 1000) / N,
    temporal: (((await cpuSecondsOf(temporalPid)) - cpuFrom.temporal) * 1000) / N,
  };
  say(
    `all waiting ${round((timersSetAt - startsTo) / 1000)} s after the last start; holding ${HOLD_MS / 1000} s`,
  );
  await sleep(HOLD_MS);
  const heldMiB = workerRss.currentMiB;
  const heldLoad = loadAverage();
  const [workerPeak, temporalPeak] = await Promise.all([workerRss.stop(), temporalRss.stop()]);

  const result = {
    bench: 'timers',
    pending: N,
    workerPeakRssMiB: Math.round(workerPeak),
    temporalPeakRssMiB: Math.round(temporalPeak),
    startsPerS: round(startsPerS, 1),
  };
  console.log(JSON.stringify(result));
  printTable(`${N} retention workflows pending (timers 30 days away), started ${CONCURRENCY} at a time`, [
    ['started', 'worker RSS MiB', 'Temporal RSS MiB', 'load average'],
    ['0 (worker idle)', Math.round(idleMiB), '', ''],
    ...milestones.map((m) => [m.started, Math.round(m.workerMiB), Math.round(m.temporalMiB), m.load]),
    [`${N}, held ${HOLD_MS / 1000} s`, Math.round(heldMiB), Math.round(temporalRss.currentMiB), heldLoad],
    ['peak', result.workerPeakRssMiB, result.temporalPeakRssMiB, ''],
  ]);
  printTable('Starts', [
    ['workflow starts/s', `${result.startsPerS} (${round((startsTo - startsFrom) / 1000)} s)`],
    ['last workflow waiting after the last start', `${round((timersSetAt - startsTo) / 1000, 1)} s`],
    ['worker CPU per workflow (before it is due)', `${round(cpuMsPerStart.worker, 2)} ms`],
    [
      'Temporal CPU per workflow (its start, and a first task if one ran)',
      `${round(cpuMsPerStart.temporal, 2)} ms`,
    ],
  ]);
} finally {
  await running.stopAll();
}
