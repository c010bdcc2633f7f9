// Keeps a platform process (worker, api) running under the dev launcher: one that exits
// on its own is started again after a back-off, with a log line, instead of taking the
// whole platform down. A process that keeps crashing is retried ever more slowly; one
// that ran a while before it died starts over from the shortest delay.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogSink, Service } from './process.ts';

export interface Backoff {
  /** Delay before the first restart. */
  initialMs: number;
  /** The delay doubles after each quick crash, up to this. */
  maxMs: number;
  /** A process that ran this long before it exited counts as healthy: back to initialMs. */
  resetAfterMs: number;
}

/** The launcher's restart policy. */
export const RESTART_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

export interface Supervised extends Service {
  /** How many times the process was started again after exiting on its own. */
  readonly restarts: number;
}

/**
 * Starts `start()` and starts it again whenever its process exits unless `stop()` was
 * called. `start` spawns the process (in its ProcessGroup); when it throws (the group
 * is stopping), supervision ends. `exited` settles when supervision has ended.
 */
export function supervise(
  name: string,
  start: () => Service,
  options: { log: LogSink; backoff?: Backoff; signal?: AbortSignal },
): Supervised {
  const { log, backoff = RESTART_BACKOFF } = options;
  const stopped = new AbortController();
  const abort = () => stopped.abort();
  if (options.signal?.aborted) abort();
  else options.signal?.addEventListener('abort', abort, { once: true });
  let current: Service | undefined;
  let restarts = 0;

  const loop = async (): Promise<number | null> => {
    let delay = backoff.initialMs;
    let code: number | null = null;
    while (!stopped.signal.aborted) {
      const startedAt = Date.now();
      try {
        current = start();
      } catch (err) {
        if (!stopped.signal.aborted) log('dev', `${name} not started: ${(err as Error).message}`);
        break;
      }
      code = await current.exited;
      if (stopped.signal.aborted) break;
      if (Date.now() - startedAt >= backoff.resetAfterMs) delay = backoff.initialMs;
      log('dev', `${name} exited with code ${code}; restarting it in ${formatDelay(delay)}`);
      const waited = await sleep(delay, true, { signal: stopped.signal }).catch(() => false);
      if (!waited) break;
      restarts++;
      delay = Math.min(delay * 2, backoff.maxMs);
    }
    options.signal?.removeEventListener('abort', abort);
    return code;
  };
  const exited = loop();

  return {
    name,
    exited,
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped.abort();
      await current?.stop();
      await exited;
    },
  };
}

function formatDelay(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${ms / 1000} s`;
}
