// What a request to the object store costs this process in CPU, through the platform's
// S3 client (platform/s3.ts: its middleware stack built once per kind of request) beside
// the same client building the stack for every request (the SDK's default), in the same
// run, taking turns. A due deletion makes two HEADs (the object before, and the check that
// it is gone), so this is most of what the plain deletion loop of `bench:retention`
// spends. HEADs of stored objects and of missing ones (404), 20 at a time, against the
// stack's MinIO. Prints one JSON line, then a table; never passes or fails on time.
//
//   node bench/objects.ts [--requests 2000] [--rounds 5]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../config/index.ts';
import { headObject } from '../platform/objects.ts';
import { createObjectStore, ensureBucket, type ObjectStore } from '../platform/s3.ts';
import { startTestStack } from '../tests/support/stack.ts';
import { inParallel, loadAverage, mean, printTable, progress, round } from './support/figures.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
  },
});
const REQUESTS = Number(values.requests);
const ROUNDS = Number(values.rounds);
/** As many at once as the retention worker deletes (worker/tuning.ts, 2 × a pool of 10). */
const AT_ONCE = 20;

/** CPU milliseconds of this process a HEAD, over `keys`, AT_ONCE at a time. */
async function headCpuMs(store: ObjectStore, keys: readonly string[]): Promise<number> {
  const before = process.cpuUsage();
  await inParallel(keys, AT_ONCE, async (key) => {
    await headObject(store, key);
  });
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / keys.length;
}

const stack = await startTestStack();
const s3 = loadConfig(stack.env).s3;
const platform = createObjectStore(s3);
const baseline = createObjectStore(s3, { cacheMiddleware: false });
try {
  await ensureBucket(platform);
  const prefix = `bench-objects/${randomUUID()}`;
  const stored = Array.from({ length: REQUESTS }, (_, i) => `${prefix}/stored-${i}`);
  const missing = Array.from({ length: REQUESTS }, (_, i) => `${prefix}/missing-${i}`);
  progress('objects', `storing ${REQUESTS} objects`);
  await inParallel(stored, AT_ONCE, async (Key) => {
    await platform.client.send(new PutObjectCommand({ Bucket: platform.bucket, Key, Body: Key }));
  });
  // One unmeasured pass each: connections opened, code compiled.
  for (const store of [baseline, platform]) {
    await headCpuMs(store, stored.slice(0, 200));
    await headCpuMs(store, missing.slice(0, 200));
  }
  const sides = { platform, baseline };
  const figures = {
    platform: { stored: [] as number[], missing: [] as number[] },
    baseline: { stored: [] as number[], missing: [] as number[] },
  };
  for (let r = 0; r < ROUNDS; r++) {
    // Alternating which side goes first, so neither always meets a warmer host.
    const order = r % 2 === 0 ? (['baseline', 'platform'] as const) : (['platform', 'baseline'] as const);
    for (const side of order) {
      figures[side].stored.push(await headCpuMs(sides[side], stored));
      figures[side].missing.push(await headCpuMs(sides[side], missing));
    }
    progress('objects', `round ${r + 1}/${ROUNDS} done`);
  }
  const result = {
    bench: 'objects',
    requests: REQUESTS,
    headCpuMs: round(mean(figures.platform.stored), 3),
    baselineHeadCpuMs: round(mean(figures.baseline.stored), 3),
    missingHeadCpuMs: round(mean(figures.platform.missing), 3),
    baselineMissingHeadCpuMs: round(mean(figures.baseline.missing), 3),
    ratio: round(mean(figures.platform.stored) / mean(figures.baseline.stored), 2),
  };
  console.log(JSON.stringify(result));
  const perRound = (xs: number[]) => xs.map((x) => round(x, 3)).join(', ');
  printTable(
    `CPU ms of this process a HEAD, ${REQUESTS} a round, ${AT_ONCE} at a time, ${ROUNDS} rounds a side`,
    [
      ['', 'platform (stack built once)', 'baseline (built every request)'],
      ['stored object: mean', result.headCpuMs, result.baselineHeadCpuMs],
      ['stored object: by round', perRound(figures.platform.stored), perRound(figures.baseline.stored)],
      ['missing object (404): mean', result.missingHeadCpuMs, result.baselineMissingHeadCpuMs],
      [
        'missing object (404): by round',
        perRound(figures.platform.missing),
        perRound(figures.baseline.missing),
      ],
      ['load average at the end', loadAverage(), ''],
    ],
  );
} finally {
  platform.client.destroy();
  baseline.client.destroy();
  await stack.stop();
}
