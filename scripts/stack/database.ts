// The database an operator command works on: DATABASE_URL when it is set; otherwise the
// development PostgreSQL, started from .data/postgres for the command and stopped after
// it when `npm start` is not already serving it on the development port.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config/index.ts';
import { isPortOpen, silentLog, type Service } from './process.ts';
import { startPostgres } from './services.ts';

export const DEV_POSTGRES_DIR = path.join(
  fileURLToPath(new URL('../..', import.meta.url)),
  '.data',
  'postgres',
);

/** Starts the development PostgreSQL when the command needs it; undefined when a server is there. */
export async function startDevPostgresIfNeeded(config: Config): Promise<Service | undefined> {
  const url = new URL(config.database.url);
  if (process.env.DATABASE_URL || (await isPortOpen(Number(url.port)))) return undefined;
  // As `npm start` makes it: open to the `postgres` user PostgreSQL runs as under root.
  await mkdir(path.dirname(DEV_POSTGRES_DIR), { recursive: true });
  return startPostgres({
    port: Number(url.port),
    dataDir: DEV_POSTGRES_DIR,
    database: url.pathname.slice(1),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    log: silentLog,
  });
}
