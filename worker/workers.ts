// One Temporal worker per task queue this process polls (WORKER_QUEUES, all by default),
// sharing one workflow bundle and one set of activities. Tests build the same workers
// against the test stack.
import { readFile } from 'node:fs/promises';
import {
  NativeConnection,
  Runtime,
  Worker,
  bundleWorkflowCode,
  makeTelemetryFilterString,
} from '@temporalio/worker';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Config } from '../config/index.ts';
import { createActivities, type ActivityDeps } from '../activities/index.ts';
import { TASK_QUEUES, type TaskQueue } from '../domain/temporal.ts';
import type { Logger } from '../platform/logger.ts';
import { ensureSweepSchedules } from './schedules.ts';
import { queueTuning, workflowsInProcess } from './tuning.ts';
import { ensureBundle } from './bundle-cache.ts';
import { WORKFLOW_BUNDLE_OPTIONS } from './bundle-options.ts';
import { metricsTelemetry, reportPoolMetrics } from './metrics.ts';
import { InProcessWorker } from './in-process-worker.ts';
import { UnwatchedWorker } from './unwatched-worker.ts';

let runtimeInstalled = false;
/**
 * Routes the SDK's own logs through our logger and, when configured, serves its metrics;
 * once per process (the first worker's settings hold for the process).
 */
function installRuntime(logger: Logger, worker: Config['worker']): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: {
      log: (level, message, meta) =>
        logger[level === 'TRACE' ? 'trace' : (level.toLowerCase() as 'info')]({ ...meta }, message),
      trace: (message, meta) => logger.trace(meta ?? {}, message),
      debug: (message, meta) => logger.debug(meta ?? {}, message),
      info: (message, meta) => logger.info(meta ?? {}, message),
      warn: (message, meta) => logger.warn(meta ?? {}, message),
      error: (message, meta) => logger.error(meta ?? {}, message),
    },
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      metrics: metricsTelemetry(worker),
    },
  });
}

/** The bundler reports every module at info level; only its warnings and errors matter here. */
export function bundlerLogger(logger: Pick<Logger, 'warn' | 'error'>) {
  const noop = () => {};
  return {
    log: noop,
    trace: noop,
    debug: noop,
    info: noop,
    warn: (message: string, meta?: Record<string, unknown>) => logger.warn(meta ?? {}, message),
    error: (message: string, meta?: Record<string, unknown>) => logger.error(meta ?? {}, message),
  };
}

export async function buildWorkflowBundle(logger: Pick<Logger, 'warn' | 'error'>): Promise<string> {
  const { code } = await bundleWorkflowCode({ ...WORKFLOW_BUNDLE_OPTIONS, logger: bundlerLogger(logger) });
  return code;
}

/**
 * The prebuilt bundle: the one the image built (production), or one built from the
 * sources once and kept under .data until they change (development), so a restarted
 * worker polls in a second instead of bundling again.
 */
export async function cachedWorkflowBundle(logger: Logger): Promise<string> {
  return ensureBundle(() => buildWorkflowBundle(logger), logger, JSON.stringify(WORKFLOW_BUNDLE_OPTIONS));
}

export async function loadWorkflowBundle(config: Config, logger: Logger): Promise<WorkflowBundle> {
  const file = config.temporal.workflowBundlePath ?? (await cachedWorkflowBundle(logger));
  return { code: await readFile(file, 'utf8') };
}

export interface RunningWorkers {
  workers: Worker[];
  /** Settles when every worker has stopped. */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWorkers(options: {
  config: Config;
  logger: Logger;
  deps: ActivityDeps;
  /** The configuration's (WORKER_QUEUES) unless given. */
  queues?: TaskQueue[];
  bundle?: WorkflowBundle;
  /**
   * Create or update the sweep schedules (worker/schedules.ts); by default a process
   * that polls the `system` queue, where the sweeps run, does.
   */
  schedules?: boolean;
}): Promise<RunningWorkers> {
  const { config, logger, deps } = options;
  installRuntime(logger, config.worker);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const bundle = options.bundle ?? (await loadWorkflowBundle(config, logger));
  const activities = createActivities(deps);
  const queues = options.queues ?? config.worker.queues;
  const workers = await Promise.all(
    queues.map((taskQueue) =>
      (workflowsInProcess(taskQueue) ? InProcessWorker : UnwatchedWorker).create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue,
        workflowBundle: bundle,
        activities,
        shutdownGraceTime: '10s',
        ...queueTuning(taskQueue, config),
      }),
    ),
  );
  if (options.schedules ?? queues.includes(TASK_QUEUES.system)) {
    await ensureSweepSchedules(deps.temporal.client, logger);
  }
  const stopPoolMetrics = config.worker.metricsAddress ? reportPoolMetrics(deps.orm, logger) : () => {};
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    stopPoolMetrics();
    await connection.close();
  });
  return {
    workers,
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
