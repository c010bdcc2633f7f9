// The API's metrics for operators, in the Prometheus format on GET /metrics: every
// request timed by route pattern, method and status (never the URL itself, which holds
// ids, nor anything else about the caller), the PostgreSQL pool, the work kept for
// Temporal while it did not answer, and Node's own process figures. Only a direct loopback connection may read them, or a scraper that sends
// METRICS_TOKEN as a bearer token.
import { setTimeout as delay } from 'node:timers/promises';
import type { Request, RequestHandler } from 'express';
import { Histogram, Registry, Gauge, collectDefaultMetrics } from 'prom-client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { safeEqual, sha256Hex } from '../platform/crypto.ts';
import { KEPT_WORK_READ_TIMEOUT_MS } from '../domain/generation.ts';
import { poolStats } from '../platform/metrics.ts';
import { keptWork, type KeptWork } from '../stores/kept-work.ts';
import { AppError } from './errors.ts';

export const METRICS_PATH = '/metrics';
/** The label of a request no route matched (a 404), whatever its URL was. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds; from a cached read (a few ms) to an upload or a live view's whole stream. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ApiMetrics {
  registry: Registry;
  /** Times every request; mount before the routes. */
  middleware: RequestHandler;
  /** GET /metrics. */
  handler: RequestHandler;
}

/** The route's pattern as declared (`/api/jobs/:id`), or `unmatched`. */
export function routeLabel(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : UNMATCHED_ROUTE;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** A direct loopback connection (not one a proxy forwards), or the configured bearer token. */
function mayRead(req: Request, token: string | undefined): boolean {
  const auth = req.headers.authorization;
  if (token && auth?.startsWith('Bearer ')) return safeEqual(sha256Hex(auth.slice(7)), sha256Hex(token));
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !forwarded && LOOPBACK.has(req.socket.remoteAddress ?? '');
}

export function createApiMetrics(deps: {
  orm: MikroORM;
  config: { metrics: { token?: string }; temporal: { namespace: string } };
}): ApiMetrics {
  // One registry per app, so several apps in one process (tests) never share counters.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API requests by route pattern, method and status, and how long each took',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const pool = new Gauge({
    name: 'clipwise_db_pool_connections',
    help: 'PostgreSQL connections of this process, by state (total, idle, waiting for one)',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const stats = await poolStats(deps.orm).catch(() => undefined);
      if (!stats) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
  void pool;
  registerKeptWork(registry, deps);

  const middleware: RequestHandler = (req, res, next) => {
    const end = duration.startTimer();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      // An answer cut short (the client left) counts with the status it had so far.
      end({ route: routeLabel(req), method: req.method, status: String(res.statusCode) });
    };
    res.once('finish', record);
    res.once('close', record);
    next();
  };

  const handler: RequestHandler = (req, res, next) => {
    if (!mayRead(req, deps.config.metrics.token)) {
      next(
        new AppError(403, 'metrics_forbidden', 'Metrics are served on loopback or with the metrics token.'),
      );
      return;
    }
    registry.metrics().then((text) => {
      res.setHeader('Content-Type', registry.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(text);
    }, next);
  };

  return { registry, middleware, handler };
}

/**
 * The work kept while Temporal did not answer (stores/kept-work.ts): by kind, how much
 * waits for the unstarted sweep, and the oldest one's age. Read from PostgreSQL at each
 * scrape, one query for both figures (the registry collects them together); every api
 * reports the same ones (graph their max). Left out of a scrape when the read takes
 * longer than `KEPT_WORK_READ_TIMEOUT_MS` (every connection of the pool lent, or the
 * database not answering), so the scrape itself still answers; never a stale figure.
 */
function registerKeptWork(
  registry: Registry,
  deps: { orm: MikroORM; config: { temporal: { namespace: string } } },
): void {
  let kept: Promise<KeptWork[] | undefined> | undefined;
  const read = async (): Promise<KeptWork[] | undefined> => {
    const waited = new AbortController();
    const tooLong = delay(KEPT_WORK_READ_TIMEOUT_MS, undefined, { signal: waited.signal }).catch(
      () => undefined,
    );
    try {
      return await Promise.race([
        keptWork(deps.orm.em.fork(), deps.config.temporal.namespace).catch(() => undefined),
        tooLong,
      ]);
    } finally {
      waited.abort();
    }
  };
  const readKept = () =>
    (kept ??= read().finally(() => {
      kept = undefined;
    }));
  const gauge = (name: string, help: string, figure: (row: KeptWork, now: number) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        const rows = await readKept();
        this.reset();
        const now = Date.now();
        for (const row of rows ?? []) this.set({ kind: row.kind }, figure(row, now));
      },
    });
  gauge(
    'clipwise_kept_work',
    'Work kept while Temporal did not answer, waiting for the unstarted sweep to give it to Temporal, by kind',
    (row) => row.waiting,
  );
  gauge(
    'clipwise_kept_work_oldest_seconds',
    'How long the oldest kept work of each kind has waited for the unstarted sweep (0 when none waits)',
    (row, now) => (row.oldestAt ? Math.max(0, (now - row.oldestAt.getTime()) / 1000) : 0),
  );
}
