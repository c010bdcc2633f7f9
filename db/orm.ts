// MikroORM set-up: one cached initialiser per process, a forked entity manager per
// request and per activity, and migrations as the only way the schema changes.
import { fileURLToPath } from 'node:url';
import { MikroORM, defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Config } from '../config/index.ts';
import { DATABASE_CONNECT_TIMEOUT_MS, DATABASE_KEEPALIVE_IDLE_MS } from '../domain/database.ts';
import { entities } from './entities/index.ts';
import { PlatformPostgreSqlDriver } from './driver.ts';
import { routines } from './routines.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

export function ormOptions(database: Config['database'], overrides: Partial<Options> = {}): Options {
  return defineConfig({
    // Errors without the values PostgreSQL quotes in them, lost connections given back (db/driver.ts).
    driver: PlatformPostgreSqlDriver,
    clientUrl: database.url,
    entities,
    routines,
    extensions: [Migrator],
    pool: { min: 0, max: database.poolMax },
    driverOptions: {
      connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS,
      keepAlive: true,
      keepAliveInitialDelayMillis: DATABASE_KEEPALIVE_IDLE_MS,
    },
    migrations: {
      path: MIGRATIONS_DIR,
      glob: '!(*.d).ts',
      emit: 'ts',
      silent: true,
      transactional: true,
      allOrNothing: true,
      snapshot: true,
      // The snapshot is written when a migration is created, never as a side effect of running one.
      snapshotOnMigrate: false,
    },
    debug: false,
    ...overrides,
  });
}

export type Orm = MikroORM;

const cache = new Map<string, Promise<MikroORM>>();

/** One ORM per database URL per process. */
export function getOrm(database: Config['database']): Promise<MikroORM> {
  let orm = cache.get(database.url);
  if (!orm) {
    orm = MikroORM.init(ormOptions(database));
    cache.set(database.url, orm);
    orm.catch(() => cache.delete(database.url));
  }
  return orm;
}

export async function closeOrm(database: Config['database']): Promise<void> {
  const orm = cache.get(database.url);
  cache.delete(database.url);
  if (orm) await (await orm).close(true);
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.migrator.up();
  return applied.map((m) => m.name);
}

export async function checkDatabase(orm: MikroORM): Promise<void> {
  await orm.em.getConnection().execute('select 1');
}
