// `npm start`'s launcher (scripts/dev.ts) run as a person runs it, against the test
// stack's services (given by their variables, so it starts only the platform's own
// processes, on free ports): Ctrl-C in the middle of a start, a worker that dies, and a
// start that fails. Every process it starts carries a marker in its environment, so a
// leftover is found however it was started.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { freePort, isPortOpen, pipeLines } from '../../scripts/stack/process.ts';
import { createTestNamespace } from '../support/temporal.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCH_TIMEOUT_MS = 180_000;

interface Launch {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  marker: string;
  apiPort: number;
  webPort: number;
}

const launches: Launch[] = [];
const holders: ChildProcess[] = [];

afterEach(async () => {
  // A failed test must not leave a platform running for the next one.
  for (const launch of launches.splice(0)) {
    for (const pid of marked(launch.marker)) process.kill(pid, 'SIGKILL');
  }
  for (const holder of holders.splice(0)) holder.kill('SIGKILL');
});

/** Processes whose environment carries the launch's marker (the launcher and its children). */
function marked(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        readFileSync(path.join('/proc', entry, 'environ'), 'latin1')
          .split('\0')
          .includes(marker)
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function launch(overrides: { webPort?: number } = {}): Promise<Launch> {
  const stackEnv = inject('stackEnv');
  const [apiPort, webPort] = [await freePort(), overrides.webPort ?? (await freePort())];
  const marker = `CLIPWISE_LAUNCHER_TEST=${randomUUID()}`;
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/dev.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...stackEnv,
      TEMPORAL_NAMESPACE: await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!, 'launcher'),
      LOG_LEVEL: 'info',
      API_PORT: String(apiPort),
      API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
      WEB_PORT: String(webPort),
      [marker.split('=')[0]!]: marker.split('=')[1],
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  pipeLines(child.stdout, (line) => lines.push(line));
  pipeLines(child.stderr, (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = { child, lines, exited, marker, apiPort, webPort };
  launches.push(started);
  return started;
}

const said = (l: Launch, text: string | RegExp) =>
  l.lines.some((line) => (typeof text === 'string' ? line.includes(text) : text.test(line)));

/** After the launcher exits: nothing it started is left, and its ports are free. */
async function expectNothingLeft(l: Launch): Promise<void> {
  expect(marked(l.marker).map(commandLine)).toEqual([]);
  expect(await isPortOpen(l.apiPort)).toBe(false);
  expect(await isPortOpen(l.webPort)).toBe(false);
}

describe('the dev launcher', () => {
  it(
    'stops every process it had started when Ctrl-C comes in the middle of a start',
    async () => {
      const l = await launch();
      // The worker and the api are spawned, the platform not ready yet.
      await vi.waitFor(
        () => {
          const commands = marked(l.marker).map(commandLine);
          expect(commands.some((c) => c.includes('worker/main.ts'))).toBe(true);
          expect(commands.some((c) => c.includes('api/main.ts'))).toBe(true);
        },
        { timeout: LAUNCH_TIMEOUT_MS, interval: 50 },
      );
      expect(said(l, 'ready in')).toBe(false);
      l.child.kill('SIGINT');

      expect(await l.exited).toBe(0);
      expect(said(l, /dev +\| stopped$/)).toBe(true);
      await expectNothingLeft(l);
    },
    LAUNCH_TIMEOUT_MS,
  );

  it(
    'restarts a worker that dies, with a log line, and still stops everything on Ctrl-C',
    async () => {
      const l = await launch();
      await vi.waitFor(() => expect(said(l, 'ready in')).toBe(true), {
        timeout: LAUNCH_TIMEOUT_MS,
        interval: 100,
      });
      const workers = () => marked(l.marker).filter((pid) => commandLine(pid).includes('worker/main.ts'));
      const [first] = workers();
      expect(first).toBeDefined();
      process.kill(first!, 'SIGKILL');

      await vi.waitFor(
        () => {
          expect(said(l, /dev +\| worker exited with code 137; restarting it in 1 s$/)).toBe(true);
          expect(workers().filter((pid) => pid !== first)).toHaveLength(1);
        },
        { timeout: 30_000, interval: 100 },
      );
      expect(l.child.exitCode).toBeNull();
      l.child.kill('SIGINT');

      expect(await l.exited).toBe(0);
      await expectNothingLeft(l);
    },
    LAUNCH_TIMEOUT_MS,
  );

  it(
    'stops what it had already started when a start fails',
    async () => {
      // The web port is taken without accepting connections: the launcher's check sees it
      // free, the site's server cannot bind it, after the worker and the api are running.
      const webPort = await freePort();
      const holder = spawn(
        'python3',
        [
          '-c',
          'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); print("bound", flush=True); sys.stdin.read()',
          String(webPort),
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      holders.push(holder);
      await new Promise<void>((resolve) => pipeLines(holder.stdout, (line) => line === 'bound' && resolve()));

      const l = await launch({ webPort });
      expect(await l.exited).toBe(1);
      expect(said(l, /dev +\| failed: web exited before it was ready$/)).toBe(true);
      expect(said(l, /dev +\| stopped$/)).toBe(true);
      expect(marked(l.marker).map(commandLine)).toEqual([]);
      expect(await isPortOpen(l.apiPort)).toBe(false);
    },
    LAUNCH_TIMEOUT_MS,
  );
});
