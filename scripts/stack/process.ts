// Child processes of the stack: spawned in their own process group so a stop reaches
// everything they started, with each output line prefixed by the service's name. Every
// child belongs to a ProcessGroup from the moment it is spawned (not once it is ready),
// so stopping the group at any moment leaves nothing behind, and a closed group spawns
// nothing more.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
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

/** Thrown by a start that was cut short because its group is stopping. */
export class GroupClosedError extends Error {
  constructor(what: string) {
    super(`not starting ${what}: stopping`);
    this.name = 'GroupClosedError';
  }
}

/**
 * The children of one launcher. `stopAll` closes the group (a later spawn throws
 * GroupClosedError, waits given its `signal` give up) and stops every live child, the
 * last started first, so the platform's processes go before the services they use.
 */
export class ProcessGroup {
  private readonly live: Service[] = [];
  private readonly controller = new AbortController();
  private stopping: Promise<void> | undefined;

  /** Aborted when the group starts stopping. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  add(service: Service): void {
    if (this.closed) throw new GroupClosedError(service.name);
    this.live.push(service);
    void service.exited.then(() => {
      const index = this.live.indexOf(service);
      if (index !== -1) this.live.splice(index, 1);
    });
  }

  /** Names of the children still running, for messages and tests. */
  get running(): string[] {
    return this.live.map((s) => s.name);
  }

  stopAll(onError: (service: Service, err: Error) => void = () => {}): Promise<void> {
    this.stopping ??= (async () => {
      this.controller.abort();
      for (const service of [...this.live].reverse()) {
        await service.stop().catch((err: Error) => onError(service, err));
      }
    })();
    return this.stopping;
  }
}

/** Every child this Node.js process started without naming another group. */
export const processes = new ProcessGroup();

export interface ProcessOptions extends SpawnOptions {
  log: LogSink;
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /** The group the child belongs to; `processes` unless given. */
  group?: ProcessGroup;
}

/** How many of a child's last output lines are kept for a failed start's message. */
const OUTPUT_TAIL_LINES = 20;

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: ProcessOptions,
): Service & { child: ChildProcess; lastOutput: () => string } {
  const { log, stopSignal = 'SIGTERM', stopTimeoutMs = 10_000, group = processes, ...spawnOptions } = options;
  if (group.closed) throw new GroupClosedError(name);
  const child = spawn(command, args, { ...spawnOptions, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // The last lines it wrote, for the message when it stops before it is ready.
  const tail: string[] = [];
  const keep = (line: string) => {
    log(name, line);
    tail.push(line);
    if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
  };
  pipeLines(child.stdout, keep);
  pipeLines(child.stderr, keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      // A signal reads as the shell reports it: 128 + its number (SIGKILL: 137).
      exitCode = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : null);
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
  const service = {
    name,
    child,
    exited,
    lastOutput: () => tail.join('\n'),
    async stop() {
      if (exitCode !== undefined) return;
      signalGroup(stopSignal);
      const timer = setTimeout(() => signalGroup('SIGKILL'), stopTimeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
  group.add(service);
  return service;
}

/** Stops `service` when it never gets ready, so a failed start leaves nothing behind. */
export async function stopOnFailure<T>(service: Service, ready: Promise<T>): Promise<T> {
  try {
    return await ready;
  } catch (err) {
    await service.stop();
    throw err;
  }
}

/** Runs a command to its end (a set-up step); rejects naming it when it fails. */
export async function runToCompletion(
  name: string,
  command: string,
  args: string[],
  options: ProcessOptions,
): Promise<void> {
  const code = await startProcess(name, command, args, options).exited;
  if (code !== 0) throw new Error(`${name} failed (exit code ${code})`);
}

/**
 * The ports a started service is given come from below the OS's ephemeral range
 * (32768 and up on Linux). A port picked here is free, then handed to a process that
 * binds it a moment later; in that moment the OS may hand the same port to anyone who
 * asks it for any free one (the Temporal dev server does, for its internal services),
 * and one of the two fails to start. The OS never hands out ports from this range.
 */
export const SERVICE_PORT_RANGE = { min: 10_000, max: 19_999 } as const;

/** A port free on loopback right now, outside the OS's ephemeral range. */
export function freePort(): Promise<number> {
  return freePortInRange(SERVICE_PORT_RANGE.min, SERVICE_PORT_RANGE.max);
}

// Ports this process handed out already: a second caller never gets one of them again
// while the first may not have bound it yet.
const handedOut = new Set<number>();

/** A port free on loopback right now, chosen at random in [min, max]. */
export async function freePortInRange(min: number, max: number): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${min} and ${max}`);
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

/**
 * Polls until `check` resolves truthy, or throws naming what never became ready: when
 * the time is up, when the process it waits for exits, or when `signal` aborts (its
 * group is stopping; `processes` unless given).
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: {
    timeoutMs?: number;
    intervalMs?: number;
    exited?: Promise<unknown>;
    signal?: AbortSignal;
    /** What the process last wrote, told when it exits before it is ready. */
    output?: () => string;
  } = {},
): Promise<void> {
  const { timeoutMs = 60_000, intervalMs = 100, signal = processes.signal } = options;
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void options.exited?.then(() => {
    died = true;
  });
  while (Date.now() < deadline) {
    if (signal.aborted) throw new GroupClosedError(what);
    if (died) {
      const output = options.output?.().trim();
      throw new Error(`${what} exited before it was ready${output ? `; its last output:\n${output}` : ''}`);
    }
    if (await check().catch(() => false)) return;
    await sleep(intervalMs, undefined, { signal }).catch(() => {});
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}
