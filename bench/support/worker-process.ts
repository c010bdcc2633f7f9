// The platform's own worker process (worker/main.ts), as production runs it, for the
// benchmarks that measure it from outside: optionally for chosen task queues only
// (WORKER_QUEUES), ready once Temporal lists it among the queue's pollers, with the V8
// options of worker/tuning.ts (a process that polls only retention with its heap capped).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';
import { TASK_QUEUES } from '../../domain/temporal.ts';
import { createLogger } from '../../platform/logger.ts';
import { RETENTION_WORKER_NODE_OPTIONS, WORKER_NODE_OPTIONS, withNodeOptions } from '../../worker/tuning.ts';
import { cachedWorkflowBundle } from '../../worker/workers.ts';

export interface WorkerProcess {
  process: ChildProcess;
  pid: number;
  exited: Promise<number | null>;
  /** SIGTERM (the worker drains), then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The options of a worker process that polls only the retention queue. */
export const RETENTION_ONLY = { queues: [TASK_QUEUES.retention], readyQueue: TASK_QUEUES.retention };

export async function startWorkerProcess(
  env: Record<string, string | undefined>,
  options: { client: Client; queues?: string[]; readyQueue: string },
): Promise<WorkerProcess> {
  const retentionOnly = options.queues?.length === 1 && options.queues[0] === TASK_QUEUES.retention;
  // As in production, the worker loads a bundle built before it starts. One that bundles
  // for itself (its sources changed since the last build) keeps webpack's memory: the
  // same 1,500 deletions peaked at 380 MiB that way, at 294 with the bundle built.
  const bundle =
    env.WORKFLOW_BUNDLE_PATH ?? (await cachedWorkflowBundle(createLogger({ level: 'warn', name: 'bench' })));
  const child = spawn(process.execPath, [fileURLToPath(new URL('../../worker/main.ts', import.meta.url))], {
    env: withNodeOptions(
      {
        ...env,
        WORKFLOW_BUNDLE_PATH: bundle,
        ...(options.queues ? { WORKER_QUEUES: options.queues.join(',') } : {}),
      },
      retentionOnly ? RETENTION_WORKER_NODE_OPTIONS : WORKER_NODE_OPTIONS,
    ),
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (graceMs = 30_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(kill);
  };
  const identity = `${child.pid}@${os.hostname()}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}) before polling`);
    const { pollers } = await options.client.workflowService.describeTaskQueue({
      namespace: options.client.options.namespace,
      taskQueue: { name: options.readyQueue },
      taskQueueType: protos.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if (pollers?.some((p) => p.identity === identity)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the worker did not poll in 3 minutes');
    }
    await sleep(200);
  }
  return { process: child, pid: child.pid!, exited, stop };
}
