// The data export at scale (D-ACCESS, D-PORT): a user with 10,000 jobs and 1 GiB of
// stored video (written straight into S3 with their asset rows, no rendering), exported
// as one portability archive by the export activity in a process of its own. Prints the
// export's duration, its throughput beside a plain streamed copy of the same bytes
// through the same S3 server in the same run (and their ratio), and the peak memory of
// the process doing the export. Figures only: never pass/fail.
//
//   node bench/export.ts [--jobs 10000] [--video-mib 1024] [--object-mib 8]
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { loadConfig } from '../config/index.ts';
import { Asset, GenerationJob, RightsRequest, User } from '../db/entities/index.ts';
import { EXPORT_PART_BYTES, EXPORT_PARTS_IN_FLIGHT } from '../domain/rights-request.ts';
import { assetObjectKey } from '../domain/retention.ts';
import { DAY } from '../domain/time.ts';
import { createExportActivities } from '../activities/rights-request/export.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { startTestStack } from '../tests/support/stack.ts';

const MiB = 1024 * 1024;
const log = (message: string) => process.stderr.write(`[bench:export] ${message}\n`);

/** Resident set size peak (VmHWM) of this process, in MiB. */
async function peakRssMiB(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** Samples this process's RSS while `run` goes; answers its result and the highest RSS seen (MiB). */
async function withRssPeak<T>(run: () => Promise<T>): Promise<{ result: T; peakMiB: number; ms: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = performance.now();
  try {
    const result = await run();
    return {
      result,
      peakMiB: Math.max(peak, process.memoryUsage().rss) / MiB,
      ms: performance.now() - started,
    };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------- the child: copy, then export

async function child(input: { requestId: string; userId: string; keys: string[] }) {
  const config = loadConfig(process.env);
  const clients = await createClients(config, createLogger({ level: 'warn', name: 'bench-export' }));
  const { store } = clients;
  try {
    // Baseline: the same objects streamed from the store into one multipart upload, as
    // the archive is, with the same part size and parts in flight, but no ZIP or hashing.
    const copyKey = `bench/copy-${randomUUID()}`;
    const copy = await withRssPeak(async () => {
      const body = new PassThrough();
      const upload = new Upload({
        client: store.client,
        params: {
          Bucket: store.bucket,
          Key: copyKey,
          Body: body,
          ServerSideEncryption: store.serverSideEncryption,
        },
        partSize: EXPORT_PART_BYTES,
        queueSize: EXPORT_PARTS_IN_FLIGHT,
      });
      const done = upload.done();
      let bytes = 0;
      for (const key of input.keys) {
        const got = await store.client.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
        for await (const chunk of got.Body as Readable) {
          bytes += (chunk as Buffer).length;
          if (!body.write(chunk)) await new Promise((resolve) => body.once('drain', resolve));
        }
      }
      body.end();
      await done;
      return bytes;
    });
    await store.client.send(new DeleteObjectCommand({ Bucket: store.bucket, Key: copyKey }));

    const activities = createExportActivities(clients);
    const exported = await withRssPeak(() =>
      activities.buildExportArchive({
        requestId: input.requestId,
        userId: input.userId,
        type: 'portability',
      }),
    );
    process.stdout.write(
      `${JSON.stringify({
        copy: { bytes: copy.result, ms: copy.ms, peakRssMiB: copy.peakMiB },
        export: { ...exported.result, ms: exported.ms, peakRssMiB: exported.peakMiB },
        processPeakRssMiB: await peakRssMiB(),
      })}\n`,
    );
  } finally {
    await clients.close();
  }
}

// ---------------------------------------------------------------- the parent: stack, data, child

async function main() {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '10000' },
      'video-mib': { type: 'string', default: '1024' },
      'object-mib': { type: 'string', default: '8' },
    },
  });
  const JOBS = Number(values.jobs);
  const VIDEO_BYTES = Number(values['video-mib']) * MiB;
  const OBJECT_BYTES = Number(values['object-mib']) * MiB;
  const OBJECTS = Math.ceil(VIDEO_BYTES / OBJECT_BYTES);

  log(`starting a stack: ${JOBS} jobs, ${OBJECTS} videos of ${OBJECT_BYTES / MiB} MiB`);
  const stack = await startTestStack();
  const work = await mkdtemp(path.join(os.tmpdir(), 'clipwise-bench-export-'));
  const env = { ...process.env, ...stack.env, LOG_LEVEL: 'warn' };
  const config = loadConfig(env);
  const clients = await createClients(config, createLogger({ level: 'warn', name: 'bench' }));
  try {
    const em = clients.orm.em.fork();
    const userId = randomUUID();
    const now = new Date();
    await em.insert(User, {
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
          parameters: {
            durationSeconds: 4,
            aspectRatio: '16:9',
            resolution: '720p',
            seed: i + j,
            inputs: [],
          },
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
    const rows: {
      id: string;
      user: string;
      kind: 'output';
      status: 'stored';
      objectKey: string;
      contentType: string;
      sizeBytes: number;
      createdAt: Date;
      storedAt: Date;
      deleteAt: Date;
    }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < OBJECTS) {
          next++;
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
          rows.push({
            id,
            user: userId,
            kind: 'output' as const,
            status: 'stored' as const,
            objectKey: key,
            contentType: 'video/mp4',
            sizeBytes: OBJECT_BYTES,
            createdAt: now,
            storedAt: now,
            deleteAt: new Date(now.getTime() + 7 * DAY),
          });
        }
      }),
    );
    await clients.orm.em.fork().insertMany(Asset, rows);
    const request = clients.orm.em.fork().create(RightsRequest, {
      user: userId,
      type: 'portability',
      jurisdiction: 'GDPR',
      status: 'in_progress',
      createdAt: now,
      verifiedAt: now,
      origin: 'user',
      details: {},
      verificationAttempts: 0,
    });
    await clients.orm.em.fork().insert(RightsRequest, request);
    log(`data ready; exporting in a child process`);

    const output = await new Promise<string>((resolve, reject) => {
      const proc = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child'], {
        env: { ...env, BENCH_CHILD: JSON.stringify({ requestId: request.id, userId, keys }) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
      proc.on('error', reject);
      proc.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
    });
    const figures = JSON.parse(output.trim().split('\n').at(-1)!) as {
      copy: { bytes: number; ms: number; peakRssMiB: number };
      export: { sizeBytes: number; ms: number; peakRssMiB: number; entries: number; videos: number };
      processPeakRssMiB: number;
    };
    const copyMiBs = figures.copy.bytes / MiB / (figures.copy.ms / 1000);
    const exportMiBs = figures.export.sizeBytes / MiB / (figures.export.ms / 1000);
    const result = {
      benchmark: 'export',
      jobs: JOBS,
      videos: figures.export.videos,
      videoMiB: Math.round(figures.copy.bytes / MiB),
      archiveMiB: Math.round((figures.export.sizeBytes / MiB) * 10) / 10,
      entries: figures.export.entries,
      exportSeconds: Math.round(figures.export.ms / 100) / 10,
      exportMiBPerSecond: Math.round(exportMiBs * 10) / 10,
      copySeconds: Math.round(figures.copy.ms / 100) / 10,
      copyMiBPerSecond: Math.round(copyMiBs * 10) / 10,
      throughputRatio: Math.round((exportMiBs / copyMiBs) * 100) / 100,
      exportPeakRssMiB: Math.round(figures.export.peakRssMiB),
      copyPeakRssMiB: Math.round(figures.copy.peakRssMiB),
      processPeakRssMiB: Math.round(figures.processPeakRssMiB),
    };
    console.log(JSON.stringify(result));
    console.table({
      export: {
        seconds: result.exportSeconds,
        'MiB/s': result.exportMiBPerSecond,
        'peak RSS MiB': result.exportPeakRssMiB,
      },
      'plain copy': {
        seconds: result.copySeconds,
        'MiB/s': result.copyMiBPerSecond,
        'peak RSS MiB': result.copyPeakRssMiB,
      },
    });
    console.log(`export/copy throughput ratio: ${result.throughputRatio}`);
  } finally {
    await clients.close();
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv.includes('--child')) await child(JSON.parse(process.env.BENCH_CHILD!));
else await main();
