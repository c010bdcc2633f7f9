// The processes a benchmark measures, each in its own Node.js process so its memory and
// its event loop are its own: started with an IPC channel, ready when it says so, asked
// to stop with a message (then SIGTERM, then SIGKILL).
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchChild<Ready> {
  process: ChildProcess;
  pid: number;
  /** What the child sent when it was ready. */
  ready: Ready;
  /** Sends a request and waits for the child's answer to it. */
  ask<T>(request: Record<string, unknown>): Promise<T>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

interface Answer {
  answer: number;
  result?: unknown;
  error?: string;
}

/** Forks `script` (a bench/support module) with `env`; resolves with its ready message. */
export async function startChild<Ready>(
  script: URL,
  env: Record<string, string | undefined>,
  options: { readyTimeoutMs?: number } = {},
): Promise<BenchChild<Ready>> {
  const child = fork(fileURLToPath(script), [], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let asked = 0;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script.pathname} not ready in time`)),
      options.readyTimeoutMs ?? 180_000,
    );
    child.on('message', (message: { ready?: Ready } & Partial<Answer>) => {
      if (message.ready !== undefined) {
        clearTimeout(timer);
        resolve(message.ready);
      } else if (typeof message.answer === 'number') {
        const waiting = pending.get(message.answer);
        pending.delete(message.answer);
        if (message.error) waiting?.reject(new Error(message.error));
        else waiting?.resolve(message.result);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script.pathname} exited (${code}) before it was ready`));
      for (const w of pending.values()) w.reject(new Error(`${script.pathname} exited (${code})`));
    });
  });
  return {
    process: child,
    pid: child.pid!,
    ready,
    exited,
    ask<T>(request: Record<string, unknown>) {
      const id = ++asked;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ ...request, ask: id });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ stop: true });
      const term = setTimeout(() => child.kill('SIGTERM'), 20_000);
      const kill = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(term);
      clearTimeout(kill);
    },
  };
}

/**
 * The child's side: announce readiness, answer requests with `handle`, and run `stop`
 * once on a stop message or SIGTERM, then exit.
 */
export function serveParent<Ready>(
  ready: Ready,
  stop: () => Promise<void>,
  handle: (request: Record<string, unknown>) => Promise<unknown> = () => Promise.resolve(undefined),
): void {
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('disconnect', shutdown);
  process.on('message', (message: { stop?: boolean; ask?: number } & Record<string, unknown>) => {
    if (message.stop) return shutdown();
    if (typeof message.ask !== 'number') return;
    const id = message.ask;
    handle(message).then(
      (result) => process.send?.({ answer: id, result }),
      (err: unknown) => process.send?.({ answer: id, error: err instanceof Error ? err.stack : String(err) }),
    );
  });
  process.send?.({ ready });
}
