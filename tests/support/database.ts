// A database of its own on the test stack's PostgreSQL, migrated and empty, for tests
// whose subject is the whole database (backup and restore, "the only admin"): what they
// do cannot be seen by, or disturb, the tests sharing the stack's main database.
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import pg from 'pg';
import { loadConfig, type Config } from '../../config/index.ts';
import { closeOrm, getOrm, migrate } from '../../db/orm.ts';

export interface ScratchDatabase {
  url: string;
  config: Config;
  /** The ORM on this database (opened again after `closePool`). */
  orm(): Promise<MikroORM>;
  /** Ends this process's connections to it, as a stopped API would. */
  closePool(): Promise<void>;
  /** The URL of a database on the same server that does not exist yet, dropped with this one if made. */
  unusedDatabaseUrl(): string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(
  stackEnv: Record<string, string>,
  options: { migrated?: boolean } = {},
): Promise<ScratchDatabase> {
  const serverUrl = stackEnv.DATABASE_URL!;
  const names: string[] = [];
  const unused = () => {
    const name = `scratch_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    names.push(name);
    return withDatabase(serverUrl, name);
  };
  const url = unused();
  const name = new URL(url).pathname.slice(1);
  await admin(serverUrl, (c) => c.query(`create database ${c.escapeIdentifier(name)}`));
  const config = loadConfig({ ...process.env, ...stackEnv, DATABASE_URL: url });
  if (options.migrated !== false) await migrate(await getOrm(config.database));
  return {
    url,
    config,
    orm: () => getOrm(config.database),
    closePool: () => closeOrm(config.database),
    unusedDatabaseUrl: unused,
    async drop() {
      await closeOrm(config.database);
      for (const name of names) {
        await admin(serverUrl, (c) =>
          c.query(`drop database if exists ${c.escapeIdentifier(name)} with (force)`),
        );
      }
    },
  };
}
