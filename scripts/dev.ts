// `npm start`: the whole platform on this machine. Backing services first (each one
// skipped when its variable points elsewhere), then migrations, then worker, api and
// web, with one log stream prefixed per process. `TEMPORAL_ENGINE=server` runs the
// production engine (temporal-server on the platform's PostgreSQL, and its UI server)
// in place of the CLI's dev server. A worker or api that exits on its own is started
// again after a back-off. Ctrl-C stops everything started so far, at any moment, and so
// does a start that fails: every child belongs to one process group from its spawn.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { loadConfig, ConfigError, type Config } from '../config/index.ts';
import { closeOrm, getOrm, migrate } from '../db/orm.ts';
import { createObjectStore, ensureBucket } from '../platform/s3.ts';
import {
  isPortOpen,
  prefixedLog,
  processes,
  startProcess,
  waitUntil,
  type Service,
} from './stack/process.ts';
import {
  newKmsSecretKey,
  startMailCatcher,
  startObjectStore,
  startPostgres,
  startStripeMock,
  startTemporal,
} from './stack/services.ts';
import { supervise } from './stack/supervisor.ts';
import { SERVER_PORTS, startTemporalServer, startTemporalUi } from './stack/temporal-server.ts';
import { WORKER_NODE_OPTIONS, withNodeOptions } from '../worker/tuning.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = path.join(ROOT, '.data');
const require = createRequire(import.meta.url);
const log = prefixedLog;
const group = processes;
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** Fixed development ports (see the README); each service's own variables can move it elsewhere. */
const PORTS = { temporalUi: 8233, s3Console: 9001, mailWeb: 1080, workerMetrics: 9464 };

/** How long the platform's own processes get to become ready. */
const READY_TIMEOUTS = { apiMs: 120_000, webMs: 60_000 };

const ENGINES = ['dev', 'server'] as const;
type Engine = (typeof ENGINES)[number];

/** The launcher's one engine switch; read here because only the launcher starts Temporal. */
function temporalEngine(): Engine {
  const value = process.env.TEMPORAL_ENGINE || 'dev';
  if (!(ENGINES as readonly string[]).includes(value)) {
    throw new ConfigError(`TEMPORAL_ENGINE must be one of ${ENGINES.join(', ')} (got "${value}")`);
  }
  return value as Engine;
}

let shuttingDown: Promise<never> | undefined;
function shutdown(code: number): Promise<never> {
  shuttingDown ??= (async () => {
    log('dev', 'stopping…');
    await group.stopAll((service, err) => log('dev', `${service.name}: ${err.message}`));
    const left = group.running;
    log('dev', left.length ? `stopped, but still running: ${left.join(', ')}` : 'stopped');
    process.exit(code);
  })();
  return shuttingDown;
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function given(name: string): boolean {
  return Boolean(process.env[name]);
}

/** Checks every port before anything starts, so a port in use fails with nothing to undo. */
async function requireFreePorts(ports: [number, string][]): Promise<void> {
  for (const [port, what] of ports) {
    if (await isPortOpen(port)) {
      throw new Error(
        `port ${port} (${what}) is already in use; stop whatever holds it, or is the platform already running?`,
      );
    }
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** The fixed ports this start will listen on, given which services it starts. */
function portsToStart(config: Config, engine: Engine): [number, string][] {
  const ports: [number, string][] = [];
  if (!given('DATABASE_URL')) ports.push([portOf(config.database.url), 'PostgreSQL']);
  if (!given('TEMPORAL_ADDRESS')) {
    const frontend = Number(config.temporal.address.split(':').pop());
    ports.push([frontend, 'Temporal'], [PORTS.temporalUi, 'Temporal Web UI']);
    if (engine === 'server') {
      for (const [name, port] of Object.entries(SERVER_PORTS)) {
        if (name !== 'frontend') ports.push([port, `temporal-server ${name}`]);
      }
    }
  }
  if (!given('S3_ENDPOINT') && config.s3.endpoint) {
    ports.push([portOf(config.s3.endpoint), 'S3'], [PORTS.s3Console, 'S3 console']);
  }
  if (!given('STRIPE_API_URL') && config.stripe.apiUrl)
    ports.push([portOf(config.stripe.apiUrl), 'stripe-mock']);
  if (!given('SMTP_URL')) ports.push([portOf(config.mail.smtpUrl), 'SMTP'], [PORTS.mailWeb, 'mail web page']);
  ports.push([config.api.port, 'API'], [config.web.port, 'web']);
  return ports;
}

async function kmsKey(): Promise<string> {
  const file = path.join(DATA, 's3-sse-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = newKmsSecretKey();
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** A backing service that dies leaves the platform without it: say so at once. */
function watch(service: Service): void {
  void service.exited.then((code) => {
    if (!group.closed) {
      log('dev', `${service.name} exited with code ${code}; the platform needs it: Ctrl-C, then npm start`);
    }
  });
}

async function startTemporalEngine(config: Config, engine: Engine, postgres: Promise<string>): Promise<void> {
  const port = Number(config.temporal.address.split(':').pop());
  if (engine === 'dev') {
    const s = await startTemporal({
      port,
      uiPort: PORTS.temporalUi,
      dbFile: path.join(DATA, 'temporal', 'temporal.db'),
      namespaces: config.temporal.namespace === 'default' ? [] : [config.temporal.namespace],
      log,
    });
    watch(s);
    log('dev', `temporal dev server ready on ${s.address}, Web UI ${config.temporal.uiUrl} (${elapsed()})`);
    return;
  }
  // The production engine keeps its two databases on the platform's PostgreSQL.
  const url = new URL(await postgres);
  const server = await startTemporalServer({
    postgres: {
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    },
    ports: { frontend: port },
    namespace: config.temporal.namespace,
    log,
  });
  watch(server);
  const ui = await startTemporalUi({ grpcAddress: server.address, port: PORTS.temporalUi, log });
  watch(ui);
  log(
    'dev',
    `temporal-server ready on ${server.address} (metrics ${server.metricsUrl}), Web UI ${config.temporal.uiUrl} (${elapsed()})`,
  );
}

/**
 * The launcher's worker serves its metrics on 127.0.0.1:9464 unless told otherwise; they
 * are optional, so a port in use only costs them (a second worker next to `npm start`
 * takes no metrics address unless given one).
 */
async function workerMetricsEnv(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  if (given('WORKER_METRICS_ADDRESS')) return env;
  if (await isPortOpen(PORTS.workerMetrics)) {
    log(
      'dev',
      `worker metrics not served: port ${PORTS.workerMetrics} is in use (set WORKER_METRICS_ADDRESS)`,
    );
    return env;
  }
  return { ...env, WORKER_METRICS_ADDRESS: `127.0.0.1:${PORTS.workerMetrics}` };
}

/** Every backing service not given by its variable; resolves when all are ready. */
async function startBackingServices(config: Config, engine: Engine): Promise<void> {
  const postgres: Promise<string> = given('DATABASE_URL')
    ? Promise.resolve(config.database.url)
    : (async () => {
        const url = new URL(config.database.url);
        const s = await startPostgres({
          port: Number(url.port),
          dataDir: path.join(DATA, 'postgres'),
          database: url.pathname.slice(1),
          user: decodeURIComponent(url.username),
          password: decodeURIComponent(url.password),
          log,
        });
        watch(s);
        log('dev', `postgres ready on ${url.host} (${elapsed()})`);
        return s.url;
      })();
  const pending: Promise<unknown>[] = [postgres];
  if (!given('TEMPORAL_ADDRESS')) pending.push(startTemporalEngine(config, engine, postgres));
  if (!given('S3_ENDPOINT') && config.s3.endpoint) pending.push(startS3(config));
  if (!given('STRIPE_API_URL') && config.stripe.apiUrl) {
    pending.push(startStripeMock({ port: portOf(config.stripe.apiUrl), log }).then(watch));
  }
  if (!given('SMTP_URL')) {
    pending.push(
      startMailCatcher({
        smtpPort: portOf(config.mail.smtpUrl),
        webPort: PORTS.mailWeb,
        mailDir: path.join(DATA, 'mail'),
        log,
      }).then((s) => {
        watch(s);
        log(
          'dev',
          `mail catcher: SMTP ${s.smtpUrl}, read mail at http://localhost:${PORTS.mailWeb} (${elapsed()})`,
        );
      }),
    );
  }
  // Every start settles before a failure is handled, so none is still starting afterwards.
  const results = await Promise.allSettled(pending);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function startS3(config: Config): Promise<void> {
  const s = await startObjectStore({
    port: portOf(config.s3.endpoint!),
    consolePort: PORTS.s3Console,
    dataDir: path.join(DATA, 's3'),
    accessKeyId: config.s3.accessKeyId,
    secretAccessKey: config.s3.secretAccessKey,
    kmsSecretKey: await kmsKey(),
    log,
  });
  watch(s);
  const store = createObjectStore(config.s3);
  await ensureBucket(store);
  store.client.destroy();
  log(
    'dev',
    `s3 ready on ${s.endpoint}, bucket ${config.s3.bucket} encrypted with ${config.s3.serverSideEncryption} (${elapsed()})`,
  );
}

/** Worker and api under supervision, and the site; answers the site and the worker's metrics URL. */
async function startPlatformProcesses(config: Config): Promise<{ web: Service; workerMetrics?: string }> {
  const node = process.execPath;
  const env = { ...process.env, FORCE_COLOR: '0' };
  const workerEnv = withNodeOptions(await workerMetricsEnv(env), WORKER_NODE_OPTIONS);
  for (const [name, entry, processEnv] of [
    ['worker', 'worker/main.ts', workerEnv],
    ['api', 'api/main.ts', env],
  ] as const) {
    supervise(
      name,
      () =>
        startProcess(name, node, [path.join(ROOT, entry)], {
          cwd: ROOT,
          env: processEnv,
          log,
          stopTimeoutMs: 15_000,
        }),
      { log, signal: group.signal },
    );
  }
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const web = startProcess(
    'web',
    node,
    [vite, 'dev', '--host', '127.0.0.1', '--port', String(config.web.port), '--strictPort'],
    { cwd: path.join(ROOT, 'web'), env, log },
  );
  watch(web);
  const address = workerEnv.WORKER_METRICS_ADDRESS;
  return { web, workerMetrics: address ? `http://${address}/metrics` : undefined };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const engine = temporalEngine();
  await mkdir(DATA, { recursive: true });
  await requireFreePorts(portsToStart(config, engine));
  await startBackingServices(config, engine);

  const orm = await getOrm(config.database);
  const applied = await migrate(orm);
  await closeOrm(config.database);
  log('dev', applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  const { web, workerMetrics } = await startPlatformProcesses(config);
  const readyz = `${config.api.internalUrl}/readyz`;
  await waitUntil('api readiness', async () => (await fetch(readyz)).ok, {
    timeoutMs: READY_TIMEOUTS.apiMs,
    intervalMs: 250,
  });
  await waitUntil('web', () => isPortOpen(config.web.port), {
    timeoutMs: READY_TIMEOUTS.webMs,
    exited: web.exited,
  });
  log(
    'dev',
    [
      `ready in ${elapsed()} (Temporal engine: ${engine})`,
      `  site          ${config.web.publicUrl}`,
      `  api           ${config.api.internalUrl}  (readiness: ${readyz})`,
      `  temporal ui   ${config.temporal.uiUrl}`,
      `  metrics       ${config.api.internalUrl}/metrics${workerMetrics ? `, worker ${workerMetrics}` : ''}`,
      `  mail          http://localhost:${PORTS.mailWeb}`,
      `  s3 console    http://localhost:${PORTS.s3Console}`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  // A stop under way cuts the start short (its services die mid-start): nothing to report.
  if (group.closed) return;
  const message = err instanceof Error ? err.message : String(err);
  log('dev', `failed: ${message}`);
  void shutdown(1);
});
