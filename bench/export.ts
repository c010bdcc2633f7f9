// The data export at scale (D-ACCESS, D-PORT): a person with 10,000 jobs and 1 GiB of
// stored video (written straight into S3 with their asset rows, no rendering), exported
// as one portability archive by the export activity, each run in a fresh process of its
// own (bench/support/export-process.ts, with a worker's V8 options, worker/tuning.ts)
// whose RSS is sampled from /proc. Its baseline,
// measured the same way in the same run: a plain streamed copy of the same videos through
// the same S3 server, also in a fresh process of its own. The two take turns, each going
// first in every other round; the ratio is the export's throughput over the copy's.
// A warm-up pair runs first, uncounted. Prints one JSON line, then a table; never passes
// or fails on time.
//
//   node bench/export.ts [--jobs 10000] [--video-mib 1024] [--object-mib 8] [--rounds 4]
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Asset, GenerationJob, User } from '../db/entities/index.ts';
import { assetObjectKey } from '../domain/retention.ts';
import { DAY } from '../domain/time.ts';
import { WORKER_NODE_OPTIONS, withNodeOptions } from '../worker/tuning.ts';
import { startChild } from './support/child.ts';
import type { ExportRun, ExportTask } from './support/export-process.ts';
import { createExportRequest } from './support/export-subject.ts';
import { startBenchStack } from './support/bench-stack.ts';
import { Started } from './support/started.ts';
import {
  MiB,
  RssSampler,
  inParallel,
  loadAverage,
  mean,
  printTable,
  progress,
  round,
} from './support/figures.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    'video-mib': { type: 'string', default: '1024' },
    'object-mib': { type: 'string', default: '8' },
    rounds: { type: 'string', default: '4' },
  },
});
const JOBS = Number(values.jobs);
const VIDEO_BYTES = Number(values['video-mib']) * MiB;
const OBJECT_BYTES = Number(values['object-mib']) * MiB;
const OBJECTS = Math.ceil(VIDEO_BYTES / OBJECT_BYTES);
const ROUNDS = Number(values.rounds);
const say = (m: string) => progress('export', m);

say(`starting a stack: ${JOBS} jobs, ${OBJECTS} videos of ${OBJECT_BYTES / MiB} MiB`);
const running = new Started();
try {
  const { env, clients } = await startBenchStack(running);
  const userId = randomUUID();
  const now = new Date();
  await clients.orm.em.fork().insert(User, {
    id: userId,
    email: `bench-${userId}@example.test`,
    name: 'Bench Exporter',
    role: 'creator',
    status: 'active',
    preferences: { language: 'en' },
    createdAt: now,
    updatedAt: now,
  });
  for (let i = 0; i < JOBS; i += 1000) {
    await clients.orm.em.fork().insertMany(
      GenerationJob,
      Array.from({ length: Math.min(1000, JOBS - i) }, (_, j) => ({
        id: randomUUID(),
        user: userId,
        model: 'local-v1',
        provider: 'local',
        prompt: `benchmark job ${i + j}: a slow pan over a harbour at dawn, gulls, soft light, film grain`,
        parameters: { durationSeconds: 4, aspectRatio: '16:9', resolution: '720p', seed: i + j, inputs: [] },
        status: 'succeeded' as const,
        creditsQuoted: 4,
        creditsCharged: 4,
        requestHash: '0'.repeat(64),
        createdAt: new Date(now.getTime() - (JOBS - i - j) * 1000),
        finishedAt: now,
      })),
    );
  }
  const keys: string[] = [];
  await inParallel(Array.from({ length: OBJECTS }), 4, async () => {
    const id = randomUUID();
    const key = assetObjectKey(userId, 'output', id);
    await clients.store.client.send(
      new PutObjectCommand({
        Bucket: clients.store.bucket,
        Key: key,
        Body: randomBytes(OBJECT_BYTES),
        ContentType: 'video/mp4',
        ServerSideEncryption: clients.store.serverSideEncryption,
      }),
    );
    keys.push(key);
    await clients.orm.em.fork().insert(Asset, {
      id,
      user: userId,
      kind: 'output',
      status: 'stored',
      objectKey: key,
      contentType: 'video/mp4',
      sizeBytes: OBJECT_BYTES,
      createdAt: now,
      storedAt: now,
      deleteAt: new Date(now.getTime() + 7 * DAY),
    });
  });
  say('data ready');

  interface Measured extends ExportRun {
    idleRssMiB: number;
    peakRssMiB: number;
    load: string;
  }
  /** One run in a fresh process: its figures, and the process's RSS idle and at its peak. */
  async function inOwnProcess(task: ExportTask): Promise<Measured> {
    const child = await startChild<{ idleRssMiB: number }>(
      new URL('./support/export-process.ts', import.meta.url),
      withNodeOptions(env, WORKER_NODE_OPTIONS),
    );
    const rss = new RssSampler(child.pid, 50).start();
    try {
      const load = loadAverage();
      const run = await child.ask<ExportRun>(task);
      return { ...run, idleRssMiB: child.ready.idleRssMiB, peakRssMiB: await rss.stop(), load };
    } finally {
      await rss.stop();
      await child.stop();
    }
  }

  const copies: Measured[] = [];
  const exports: Measured[] = [];
  const order: ['plain copy' | 'export', Measured][] = [];
  const copyRun = async () => {
    const m = await inOwnProcess({ run: 'copy', keys });
    copies.push(m);
    order.push(['plain copy', m]);
  };
  const exportRun = async () => {
    const requestId = await createExportRequest(clients.orm.em.fork(), userId);
    const m = await inOwnProcess({ run: 'export', requestId, userId });
    exports.push(m);
    order.push(['export', m]);
  };
  // A warm-up pair, not counted: the S3 server and the page cache meet this data first here.
  say('warm-up: plain copy and export, not counted');
  await inOwnProcess({ run: 'copy', keys });
  await inOwnProcess({
    run: 'export',
    requestId: await createExportRequest(clients.orm.em.fork(), userId),
    userId,
  });
  // Whichever side runs second in a pair ran slower, whichever it was (export then copy:
  // 104 and 77 MiB/s; copy then export: 116 and 59), most likely the S3 server still
  // busy with the first side's gigabyte. So the two take the first place in turn.
  for (let r = 0; r < ROUNDS; r++) {
    say(`round ${r + 1}/${ROUNDS}: ${r % 2 === 0 ? 'plain copy, then export' : 'export, then plain copy'}`);
    for (const side of r % 2 === 0 ? [copyRun, exportRun] : [exportRun, copyRun]) await side();
  }

  const mibs = (m: Measured) => m.bytes / MiB / (m.ms / 1000);
  const exportMiBs = mean(exports.map(mibs));
  const copyMiBs = mean(copies.map(mibs));
  const result = {
    bench: 'export',
    ratio: round(exportMiBs / copyMiBs, 2),
    exportPeakRssMiB: Math.round(Math.max(...exports.map((e) => e.peakRssMiB))),
  };
  console.log(JSON.stringify(result));
  const row = (label: string, m: Measured) => [
    label,
    round(m.bytes / MiB),
    round(m.ms / 1000),
    round(mibs(m)),
    Math.round(m.idleRssMiB),
    Math.round(m.peakRssMiB),
    Math.round(m.peakRssMiB - m.idleRssMiB),
    m.load,
  ];
  printTable(
    `Export of ${JOBS} jobs and ${OBJECTS} videos (${round(VIDEO_BYTES / MiB)} MiB) beside a plain copy; each run in a fresh process`,
    [
      ['run', 'MiB', 's', 'MiB/s', 'idle RSS', 'peak RSS', 'peak - idle', 'load average before'],
      ...order.map(([side, m], i) => row(`${Math.floor(i / 2) + 1}. ${side}`, m)),
      ['mean', '', '', `export ${round(exportMiBs)} / copy ${round(copyMiBs)}`, '', '', '', ''],
    ],
  );
  console.log(`  archive: ${exports[0]?.entries} entries, ${exports[0]?.videos} videos`);
} finally {
  await running.stopAll();
}
