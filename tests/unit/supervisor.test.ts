// The dev launcher's process handling, with small `node -e` children: a process group
// stops every child at any moment (even one still starting) and spawns nothing after,
// and a supervised process that exits on its own is restarted with a back-off.
import { describe, expect, it, vi } from 'vitest';
import {
  GroupClosedError,
  ProcessGroup,
  SERVICE_PORT_RANGE,
  freePort,
  isPortOpen,
  startProcess,
  waitUntil,
  type LogSink,
} from '../../scripts/stack/process.ts';
import { supervise } from '../../scripts/stack/supervisor.ts';

const node = process.execPath;
const LISTEN = `require('node:net').createServer().listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'))`;

function collectingLog(): { log: LogSink; lines: string[] } {
  const lines: string[] = [];
  return { log: (service, line) => lines.push(`${service} | ${line}`), lines };
}

function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('process group', () => {
  it('stops every child at any moment, including one still starting, and frees its port', async () => {
    const group = new ProcessGroup();
    const { log, lines } = collectingLog();
    const [readyPort, startingPort] = await Promise.all([freePort(), freePort()]);
    const ready = startProcess('ready', node, ['-e', LISTEN, String(readyPort)], { log, group });
    await waitUntil('ready', () => isPortOpen(readyPort), { exited: ready.exited, signal: group.signal });
    // A second service is still "starting": its readiness never comes.
    const starting = startProcess('starting', node, ['-e', LISTEN, String(startingPort)], { log, group });
    const startingWait = waitUntil('starting', async () => false, {
      exited: starting.exited,
      signal: group.signal,
    }).catch((err: unknown) => err);
    await vi.waitFor(() => expect(lines).toContain('starting | listening'), { timeout: 20_000 });
    expect(group.running).toEqual(['ready', 'starting']);

    await group.stopAll();

    expect(await startingWait).toBeInstanceOf(GroupClosedError);
    expect(group.running).toEqual([]);
    expect(isAlive(ready.child.pid)).toBe(false);
    expect(isAlive(starting.child.pid)).toBe(false);
    expect(await isPortOpen(readyPort)).toBe(false);
    expect(await isPortOpen(startingPort)).toBe(false);
  });

  it('refuses to spawn once it is stopping, so a start cut short leaves nothing behind', async () => {
    const group = new ProcessGroup();
    await group.stopAll();
    expect(() =>
      startProcess('late', node, ['-e', 'setInterval(() => {}, 1000)'], { log: () => {}, group }),
    ).toThrow(GroupClosedError);
    expect(group.running).toEqual([]);
  });

  it('stops what a failed start had already started', async () => {
    const group = new ProcessGroup();
    const { log } = collectingLog();
    const port = await freePort();
    // Like the launcher: two starts at once; the second fails, the group is stopped.
    const first = (async () => {
      const s = startProcess('first', node, ['-e', LISTEN, String(port)], { log, group });
      await waitUntil('first', () => isPortOpen(port), { exited: s.exited, signal: group.signal });
      return s;
    })();
    const second = (async () => {
      const s = startProcess('second', node, ['-e', 'process.exit(3)'], { log, group });
      await waitUntil('second', async () => false, { exited: s.exited, signal: group.signal });
    })();
    const results = await Promise.allSettled([first, second]);
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: { message: 'second exited before it was ready' },
    });

    await group.stopAll();

    expect(group.running).toEqual([]);
    expect(await isPortOpen(port)).toBe(false);
  });
});

describe('starting a service', () => {
  it('tells what a process wrote last when it exits before it is ready', async () => {
    const group = new ProcessGroup();
    const s = startProcess(
      'doomed',
      node,
      ['-e', `for (let i = 0; i < 30; i++) console.error('line ' + i); process.exit(1)`],
      { log: () => {}, group },
    );
    const failure = await waitUntil('doomed', async () => false, {
      exited: s.exited,
      signal: group.signal,
      output: s.lastOutput,
    }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toMatch(/^doomed exited before it was ready; its last output:\nline 10\n/);
    expect(message).toMatch(/line 29$/);
    await group.stopAll();
  });

  it('hands out ports below the ephemeral range, never the same one twice', async () => {
    const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports.every((p) => p >= SERVICE_PORT_RANGE.min && p <= SERVICE_PORT_RANGE.max)).toBe(true);
    expect(SERVICE_PORT_RANGE.max).toBeLessThan(32_768);
  });
});

describe('supervisor', () => {
  it('restarts a process that exits on its own, with a doubling back-off and a log line', async () => {
    const group = new ProcessGroup();
    const { log, lines } = collectingLog();
    const startedAt: number[] = [];
    const crashing = supervise(
      'worker',
      () => {
        startedAt.push(Date.now());
        return startProcess('worker', node, ['-e', 'process.exit(3)'], { log, group });
      },
      { log, backoff: { initialMs: 50, maxMs: 200, resetAfterMs: 60_000 }, signal: group.signal },
    );
    await vi.waitFor(() => expect(crashing.restarts).toBeGreaterThanOrEqual(4), { timeout: 20_000 });
    await crashing.stop();

    const restartLines = lines.filter((l) =>
      l.startsWith('dev | worker exited with code 3; restarting it in'),
    );
    expect(restartLines.slice(0, 4)).toEqual([
      'dev | worker exited with code 3; restarting it in 50 ms',
      'dev | worker exited with code 3; restarting it in 100 ms',
      'dev | worker exited with code 3; restarting it in 200 ms',
      'dev | worker exited with code 3; restarting it in 200 ms',
    ]);
    // Each start waited at least its delay after the one before.
    for (const [i, delay] of [50, 100, 200].entries()) {
      expect(startedAt[i + 1]! - startedAt[i]!).toBeGreaterThanOrEqual(delay);
    }
    const restarts = crashing.restarts;
    expect(startedAt.length).toBe(restarts + 1);
    expect(group.running).toEqual([]);
  });

  it('starts over from the shortest delay after a process ran a while', async () => {
    const group = new ProcessGroup();
    const { log, lines } = collectingLog();
    const supervised = supervise(
      'api',
      // Lives longer than resetAfterMs, then dies.
      () => startProcess('api', node, ['-e', 'setTimeout(() => process.exit(1), 300)'], { log, group }),
      { log, backoff: { initialMs: 50, maxMs: 5_000, resetAfterMs: 200 }, signal: group.signal },
    );
    await vi.waitFor(() => expect(supervised.restarts).toBeGreaterThanOrEqual(3), { timeout: 20_000 });
    await group.stopAll();
    await supervised.exited;
    const delays = lines.filter((l) => l.includes('restarting it in'));
    expect(delays.length).toBeGreaterThanOrEqual(3);
    for (const line of delays) expect(line).toBe('dev | api exited with code 1; restarting it in 50 ms');
  });

  it('never restarts a process it was asked to stop, nor one whose group is stopping', async () => {
    const group = new ProcessGroup();
    const { log, lines } = collectingLog();
    const spawn = (name: string) => () =>
      startProcess(name, node, ['-e', 'setInterval(() => {}, 1000)'], { log, group });
    const backoff = { initialMs: 10, maxMs: 10, resetAfterMs: 60_000 };
    const stoppedAlone = supervise('alone', spawn('alone'), { log, backoff, signal: group.signal });
    const stoppedWithGroup = supervise('grouped', spawn('grouped'), { log, backoff, signal: group.signal });
    expect(group.running).toEqual(['alone', 'grouped']);

    await stoppedAlone.stop();
    expect(group.running).toEqual(['grouped']);
    await group.stopAll();
    await stoppedWithGroup.exited;

    expect(group.running).toEqual([]);
    expect(stoppedAlone.restarts + stoppedWithGroup.restarts).toBe(0);
    expect(lines.filter((l) => l.startsWith('dev |'))).toEqual([]);
  });
});
