import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DAY, SECOND } from '../../domain/time.ts';
import { freePort, silentLog, type Service } from '../../scripts/stack/process.ts';
import { startTemporal } from '../../scripts/stack/services.ts';
import { signedIn } from '../support/accounts.ts';
import { objectExists, retentionStarted, storeAsset, waitForDeleted } from '../support/assets.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestNamespace } from '../support/temporal.ts';
import { scaledDurations } from '../support/durations.ts';

// A Temporal dev server of this file's own, persisting to a SQLite file, so it can be
// killed and started again on the same port while retention timers are pending. Killed
// (SIGKILL), not stopped: the file is synced at its checkpoints, not at every commit
// (scripts/stack/services.ts), and a crashed server must still find every timer. Its
// command line is the one `npm start` gives the dev server, with this file's settings added.
const TIME_SCALE = String((10 * SECOND) / (30 * DAY)); // uploads kept 10 s
const LATENESS_MS = 10 * SECOND;

let dir: string;
let port: number;
let temporal: Service & { address: string; pid: number };
let platform: TestPlatform;
const log = process.env.STACK_LOG
  ? (s: string, l: string) => process.stderr.write(`${s} | ${l}\n`)
  : silentLog;
const startServer = () =>
  startTemporal({
    port,
    dbFile: path.join(dir, 'temporal.db'),
    dynamicConfig: { 'system.namespaceCacheRefreshInterval': '100ms' },
    stopSignal: 'SIGKILL',
    log,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-temporal-restart-'));
  port = await freePort();
  temporal = await startServer();
  const namespace = await createTestNamespace(temporal.address);
  platform = await startTestPlatform({
    env: {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      DURATION_OVERRIDES: scaledDurations(TIME_SCALE),
    },
  });
});
afterAll(async () => {
  await platform?.stop();
  await temporal?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a Temporal server killed and restarted while timers are pending', () => {
  it('[R-IN-30D] [R-OUT-7D] still deletes every object: overdue ones when it is back, the rest on time', async () => {
    const owner = (await signedIn(platform)).user;
    const now = Date.now();
    // Due while the server is down (6 s from now), and after it is back (16 s).
    const duringOutage = await Promise.all(
      [0, 1, 2].map(() =>
        storeAsset(platform, owner.id, { kind: 'input', storedAt: new Date(now - 4 * SECOND) }),
      ),
    );
    const afterOutage = await Promise.all(
      [0, 1, 2].map(() =>
        storeAsset(platform, owner.id, { kind: 'input', storedAt: new Date(now + 6 * SECOND) }),
      ),
    );
    for (const asset of [...duringOutage, ...afterOutage]) await retentionStarted(platform, asset.id);

    await temporal.stop();
    await sleep(Math.max(0, duringOutage[0]!.deleteAt!.getTime() + 2 * SECOND - Date.now()));
    // The timers are the server's: with it down, nothing was deleted.
    for (const asset of duringOutage) expect(await objectExists(platform, asset.objectKey)).toBe(true);

    const restartedAt = Date.now();
    temporal = await startServer();
    for (const asset of duringOutage) {
      const deleted = await waitForDeleted(platform, asset.id, 60_000);
      expect(deleted.deletedAt!.getTime()).toBeGreaterThan(restartedAt);
      expect(await objectExists(platform, asset.objectKey)).toBe(false);
    }
    for (const asset of afterOutage) {
      const deleted = await waitForDeleted(platform, asset.id, 60_000);
      expect(deleted.deletedAt!.getTime()).toBeGreaterThanOrEqual(asset.deleteAt!.getTime());
      expect(deleted.deletedAt!.getTime() - asset.deleteAt!.getTime()).toBeLessThan(LATENESS_MS);
      expect(await objectExists(platform, asset.objectKey)).toBe(false);
    }
  }, 150_000);
});

describe('the dev server as `npm start` runs it', () => {
  it('reads its task queue at the rate that batches a burst of due timers, with a test’s own settings beside it', async () => {
    const args = (await readFile(`/proc/${temporal.pid}/cmdline`, 'utf8')).split('\0');
    const dynamicConfig = args.filter((_, i) => args[i - 1] === '--dynamic-config-value');
    expect(dynamicConfig).toEqual(
      expect.arrayContaining([
        'history.transferProcessorMaxPollRPS=20',
        'system.enableActivityEagerExecution=true',
        'system.namespaceCacheRefreshInterval="100ms"',
      ]),
    );
  });

  it('makes no call home: the version check, which posts the cluster’s id and its SDKs to temporal.io, is off', async () => {
    const [port, metricsPort] = await Promise.all([freePort(), freePort()]);
    const server = await startTemporal({ port, metricsPort, log });
    try {
      // The check runs as the frontend starts, before the namespace it was asked about
      // answers (startTemporal waits for that); when on, its figures are in the metrics,
      // as failed calls where there is no internet.
      const metrics = await (await fetch(server.metricsUrl!)).text();
      expect(metrics).toMatch(/^service_requests\{.*operation="DescribeNamespace".*\} \d+/m);
      expect(metrics.split('\n').filter((line) => line.startsWith('version_check'))).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it('serves the Web UI when given its port, and stays headless with only a metrics port', async () => {
    const [uiServerPort, uiPort, metricsServerPort, metricsPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    // Both settle before either is used, so a failed start leaves neither running.
    const started = await Promise.allSettled([
      startTemporal({ port: uiServerPort, uiPort, log }),
      startTemporal({ port: metricsServerPort, metricsPort, log }),
    ]);
    try {
      const [, withMetrics] = started.map((s) => {
        if (s.status === 'rejected') throw s.reason;
        return s.value;
      }) as [Awaited<ReturnType<typeof startTemporal>>, Awaited<ReturnType<typeof startTemporal>>];
      // As `npm start` runs it: the Web UI on its port.
      await vi.waitFor(async () => expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200), {
        timeout: 15_000,
        interval: 100,
      });
      // As the tests run it: metrics read, no UI taking a port of its own.
      expect((await fetch(withMetrics.metricsUrl!)).status).toBe(200);
      const args = (await readFile(`/proc/${withMetrics.pid}/cmdline`, 'utf8')).split('\0');
      expect(args).toContain('--headless');
    } finally {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    }
  });
});
