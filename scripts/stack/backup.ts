// Backup and restore of the platform's database with PostgreSQL's own programs, in
// pg_dump's custom format (compressed, restorable table by table). The programs must be
// of the server's major version or newer (scripts/tools.sh fetches PostgreSQL 18's for
// the embedded server). The password goes to them through PGPASSWORD, never on a
// command line that `ps` would show.
import { execFile } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { locatePgClient } from './tools.ts';

const run = promisify(execFile);

/** A connection URL split into one without its password, and the password. */
function credentials(databaseUrl: string): { url: string; password: string; database: string } {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { url: url.toString(), password, database: decodeURIComponent(url.pathname.slice(1)) };
}

async function withClient<T>(databaseUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function serverMajor(databaseUrl: string): Promise<number> {
  const version = await withClient(databaseUrl, (c) => c.query<{ v: string }>('show server_version_num'));
  return Math.floor(Number(version.rows[0]!.v) / 10_000);
}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  pgDump: string;
}

/**
 * Dumps the whole database to `file`. It is written beside the target first and renamed
 * when complete, so a failed backup never leaves a partial file under the given name.
 */
export async function backupDatabase(databaseUrl: string, file: string): Promise<BackupResult> {
  const started = performance.now();
  const target = path.resolve(file);
  const { url, password } = credentials(databaseUrl);
  const pgDump = locatePgClient('pg_dump', await serverMajor(databaseUrl));
  const partial = `${target}.partial`;
  try {
    await run(pgDump.path, ['--format=custom', '--compress=6', `--file=${partial}`, `--dbname=${url}`], {
      env: { ...process.env, PGPASSWORD: password },
      maxBuffer: 16 * 1024 * 1024,
    });
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw new Error(
      `pg_dump failed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`,
      { cause: err },
    );
  }
  return {
    file: target,
    bytes: (await stat(target)).size,
    ms: performance.now() - started,
    pgDump: pgDump.path,
  };
}

export interface RestoreResult {
  database: string;
  createdDatabase: boolean;
  ms: number;
  pgRestore: string;
}

/**
 * Restores `file` into the database, existing or not: missing, it is created; present,
 * every object the backup holds is dropped and recreated (`--clean --if-exists`), all in
 * one transaction, so a failed restore leaves the database as it was. Objects the backup
 * does not hold (a table from a later migration) are left alone. Refused while other
 * sessions use the database (a running API or worker would see it half-restored, or hold
 * locks the restore waits on) unless `force`.
 */
export async function restoreDatabase(
  databaseUrl: string,
  file: string,
  options: { force?: boolean } = {},
): Promise<RestoreResult> {
  const started = performance.now();
  const source = path.resolve(file);
  await stat(source).catch(() => {
    throw new Error(`no backup file at ${source}`);
  });
  const { url, password, database } = credentials(databaseUrl);
  const serverUrl = new URL(databaseUrl);
  serverUrl.pathname = '/postgres';
  const { createdDatabase, others } = await withClient(serverUrl.toString(), async (c) => {
    const exists = await c.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) {
      await c.query(`create database ${c.escapeIdentifier(database)}`);
      return { createdDatabase: true, others: 0 };
    }
    const sessions = await c.query<{ n: string }>(
      // Client connections only: autovacuum workers come and go on their own.
      `select count(*) as n from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      [database],
    );
    return { createdDatabase: false, others: Number(sessions.rows[0]!.n) };
  });
  if (others > 0 && !options.force) {
    throw new Error(
      `${others} other session(s) are connected to ${database}: stop the API and the worker first ` +
        '(or pass --force to restore under them)',
    );
  }
  const pgRestore = locatePgClient('pg_restore', await serverMajor(databaseUrl));
  try {
    await run(
      pgRestore.path,
      [
        '--clean',
        '--if-exists',
        '--no-owner',
        '--no-privileges',
        '--single-transaction',
        '--exit-on-error',
        `--dbname=${url}`,
        source,
      ],
      { env: { ...process.env, PGPASSWORD: password }, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (err) {
    throw new Error(
      `pg_restore failed, nothing was changed: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`,
      { cause: err },
    );
  }
  return { database, createdDatabase, ms: performance.now() - started, pgRestore: pgRestore.path };
}
