// Figures both processes report about what they share: the PostgreSQL connection pool.
// The api serves them with its request metrics (api/metrics.ts), the worker beside the
// Temporal SDK's own (worker/metrics.ts).
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';

export interface PoolStats {
  /** Connections open now (idle or lent out). */
  total: number;
  idle: number;
  /** Queries waiting for a connection: above zero for long means the pool is too small. */
  waiting: number;
}

/** The pool's counts now (reading them opens no connection and runs no query). */
export async function poolStats(orm: MikroORM): Promise<PoolStats> {
  const pool = (await orm.em.getConnection().getNativeClient()) as Pool;
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
