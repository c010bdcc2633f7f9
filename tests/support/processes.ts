// The platform's own processes as a deployment runs them: `node worker/main.ts` and
// `node api/main.ts` as child processes with a stack's environment, so a test can run
// several of each, kill one with SIGKILL, start it again, and read its metrics. Each
// child is in its own process group (scripts/stack/process.ts) and logs through the
// stack's log when STACK_LOG is set.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../config/index.ts';
import { createClients, type Clients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import {
  freePort,
  startProcess,
  waitUntil,
  type LogSink,
  type ProcessGroup,
} from '../../scripts/stack/process.ts';
import type { TestPlatform } from './platform.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const verbose = ['debug', 'trace'].includes(process.env.TEST_LOG_LEVEL ?? '');

export const childLog: LogSink = process.env.STACK_LOG
  ? (name, line) => process.stderr.write(`${name} | ${line}\n`)
  : () => {};

export interface PlatformChild {
  name: string;
  pid: number;
  /** Settles with the exit code (128 + signal number when a signal ended it). */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after a grace period; waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL to the whole process group, at once; waits for the exit. */
  kill(): Promise<void>;
}

export interface ChildApi extends PlatformChild {
  url: string;
  port: number;
}

export interface ChildWorker extends PlatformChild {
  /** `http://host:port/metrics`, when the worker was given a metrics address. */
  metricsUrl?: string;
}

export interface ChildOptions {
  /** Added to the environment (WORKER_QUEUES, PUBLIC_API_URL, ...). */
  env?: Record<string, string>;
  log?: LogSink;
  group?: ProcessGroup;
  readyTimeoutMs?: number;
}

function spawnPlatform(name: string, entry: string, env: Record<string, string>, options: ChildOptions) {
  const lines: string[] = [];
  const log = options.log ?? childLog;
  const service = startProcess(name, process.execPath, [path.join(ROOT, entry)], {
    cwd: ROOT,
    // At least info: readiness is read from the log ("worker polling").
    env: {
      ...process.env,
      ...env,
      ...options.env,
      LOG_LEVEL: verbose ? process.env.TEST_LOG_LEVEL! : 'info',
    },
    log: (service, line) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      log(service, line);
    },
    group: options.group,
    stopTimeoutMs: 15_000,
  });
  const kill = async () => {
    if (service.child.pid) {
      try {
        process.kill(-service.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await service.exited;
  };
  const child: PlatformChild = {
    name,
    pid: service.child.pid ?? 0,
    exited: service.exited,
    stop: () => service.stop(),
    kill,
  };
  return { child, lines };
}

/** Fails naming the child and its last log lines when it does not get ready. */
async function ready(
  child: PlatformChild,
  lines: string[],
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  try {
    await waitUntil(child.name, check, { exited: child.exited, timeoutMs, intervalMs: 100 });
  } catch (err) {
    await child.kill();
    throw new Error(`${(err as Error).message}\n${lines.slice(-20).join('\n')}`, { cause: err });
  }
}

/** `node api/main.ts` on a free loopback port; resolves once /healthz answers. */
export async function startChildApi(
  env: Record<string, string>,
  options: ChildOptions & { name?: string; port?: number } = {},
): Promise<ChildApi> {
  const port = options.port ?? (await freePort());
  const { child, lines } = spawnPlatform(
    options.name ?? 'api',
    'api/main.ts',
    { ...env, API_HOST: '127.0.0.1', API_PORT: String(port) },
    options,
  );
  const url = `http://127.0.0.1:${port}`;
  await ready(child, lines, async () => (await fetch(`${url}/healthz`)).ok, options.readyTimeoutMs ?? 60_000);
  return { ...child, url, port };
}

/** `node worker/main.ts`; resolves once it says it is polling. */
export async function startChildWorker(
  env: Record<string, string>,
  options: ChildOptions & { name?: string; metricsPort?: number } = {},
): Promise<ChildWorker> {
  const metricsAddress = options.metricsPort ? `127.0.0.1:${options.metricsPort}` : undefined;
  const { child, lines } = spawnPlatform(
    options.name ?? 'worker',
    'worker/main.ts',
    metricsAddress ? { ...env, WORKER_METRICS_ADDRESS: metricsAddress } : env,
    options,
  );
  await ready(
    child,
    lines,
    async () => lines.some((line) => line.includes('"worker polling"')),
    options.readyTimeoutMs ?? 90_000,
  );
  return { ...child, metricsUrl: metricsAddress ? `http://${metricsAddress}/metrics` : undefined };
}

/**
 * The test's own view of a platform whose processes are children: clients for reading
 * the database and the bucket and for starting workflows, and the address of one api.
 */
export interface Observer {
  config: Config;
  clients: Clients;
  /** In the shape the account helpers take (they read `clients`, `config` and `api.url`). */
  platformAt(apiUrl: string): TestPlatform;
  close(): Promise<void>;
}

export async function startObserver(env: Record<string, string>): Promise<Observer> {
  const config = loadConfig({ ...process.env, ...env });
  const clients = await createClients(config, createLogger({ level: config.logLevel, name: 'test' }));
  return {
    config,
    clients,
    platformAt: (apiUrl) =>
      ({
        config,
        clients,
        namespace: config.temporal.namespace,
        api: { url: apiUrl },
        fetch: (p: string, init?: RequestInit) => fetch(`${apiUrl}${p}`, init),
        stop: async () => {},
      }) as unknown as TestPlatform,
    close: () => clients.close(),
  };
}
