// A worker's metrics for operators: the Temporal SDK's own (task slots per queue,
// schedule-to-start latency, the sticky cache, workflow task failures, calls to the
// server), served in the Prometheus format on WORKER_METRICS_ADDRESS, `/metrics`, and
// beside them the worker's PostgreSQL pool, which its activities share.
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/index.ts';
import type { Logger } from '../platform/logger.ts';
import { poolStats } from '../platform/metrics.ts';

type MetricsOptions = NonNullable<NonNullable<RuntimeOptions['telemetryOptions']>['metrics']>;

/** How often the pool's figures are read into the gauges. */
export const POOL_SAMPLE_MS = 5_000;

/**
 * The SDK's Prometheus exporter, or none when no address is configured. Names keep the
 * SDK's defaults (prefix `temporal_`, durations in milliseconds), so Temporal's own
 * dashboards read them unchanged.
 */
export function metricsTelemetry(worker: Config['worker']): MetricsOptions | undefined {
  if (!worker.metricsAddress) return undefined;
  return {
    prometheus: { bindAddress: worker.metricsAddress },
    // Which queues this process polls, so two processes on one host tell themselves apart.
    globalTags: { worker_queues: worker.queues.join(',') },
  };
}

/**
 * Samples the PostgreSQL pool into a gauge on the SDK's meter, served with its metrics:
 * `clipwise_db_pool_connections` by state (total, idle, waiting), as the api names it.
 * Returns the function that stops sampling.
 */
export function reportPoolMetrics(orm: MikroORM, logger: Pick<Logger, 'debug'>): () => void {
  const gauge = Runtime.instance().metricMeter.createGauge(
    'clipwise_db_pool_connections',
    'int',
    '',
    'PostgreSQL connections of this process, by state (total, idle, waiting for one)',
  );
  const sample = async () => {
    const stats = await poolStats(orm);
    gauge.set(stats.total, { state: 'total' });
    gauge.set(stats.idle, { state: 'idle' });
    gauge.set(stats.waiting, { state: 'waiting' });
  };
  const run = () =>
    void sample().catch((err: Error) => logger.debug({ err: err.message }, 'pool sample failed'));
  run();
  const timer = setInterval(run, POOL_SAMPLE_MS);
  timer.unref();
  return () => clearInterval(timer);
}
