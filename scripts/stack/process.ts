// Child processes of the stack: spawned in their own process group so a stop reaches
// everything they started, with each output line prefixed by the service's name.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type LogSink = (service: string, line: string) => void;

export const silentLog: LogSink = () => {};

const COLORS = [36, 35, 33, 32, 34, 31, 96, 95, 93, 92];
const colorOf = new Map<string, number>();

/** Writes `name | line` to stdout, one colour per service when stdout is a terminal. */
export const prefixedLog: LogSink = (service, line) => {
  if (!colorOf.has(service)) colorOf.set(service, COLORS[colorOf.size % COLORS.length] ?? 37);
  const label = service.padEnd(11);
  const tag = process.stdout.isTTY ? `\x1b[${colorOf.get(service)}m${label}|\x1b[0m` : `${label}|`;
  for (const part of line.split('\n')) process.stdout.write(`${tag} ${part}\n`);
};

export function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      const line = buffer.slice(0, nl).trimEnd();
      if (line) onLine(line);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffer.trim()) onLine(buffer.trimEnd());
  });
}

export interface Service {
  name: string;
  /** Stops the service and waits for it to exit. */
  stop(): Promise<void>;
  /** Settles when the process exits on its own. */
  exited: Promise<number | null>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { log: LogSink; stopSignal?: NodeJS.Signals; stopTimeoutMs?: number },
): Service & { child: ChildProcess } {
  const { log, stopSignal = 'SIGTERM', stopTimeoutMs = 10_000, ...spawnOptions } = options;
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  pipeLines(child.stdout, (line) => log(name, line));
  pipeLines(child.stderr, (line) => log(name, line));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : null);
      resolve(exitCode);
    });
    child.on('error', (err) => {
      log(name, `failed to start: ${err.message}`);
      exitCode = 127;
      resolve(127);
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  return {
    name,
    child,
    exited,
    async stop() {
      if (exitCode !== undefined) return;
      signalGroup(stopSignal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A port the OS says is free on loopback right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until `check` resolves truthy, or throws naming what never became ready. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs?: number; intervalMs?: number; exited?: Promise<unknown> } = {},
): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 100 } = options;
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void options.exited?.then(() => {
    died = true;
  });
  while (Date.now() < deadline) {
    if (died) throw new Error(`${what} exited before it was ready`);
    if (await check().catch(() => false)) return;
    await sleep(intervalMs);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}
