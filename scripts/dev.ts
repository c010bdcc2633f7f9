// `npm start`: the whole platform on this machine. Backing services first (each one
// skipped when its variable points elsewhere), then migrations, then worker, api and
// web, with one log stream prefixed per process. Ctrl-C stops everything it started.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { loadConfig, ConfigError } from '../config/index.ts';
import { closeOrm, getOrm, migrate } from '../db/orm.ts';
import { createObjectStore, ensureBucket } from '../platform/s3.ts';
import { isPortOpen, prefixedLog, startProcess, waitUntil, type Service } from './stack/process.ts';
import {
  newKmsSecretKey,
  startMailCatcher,
  startObjectStore,
  startPostgres,
  startStripeMock,
  startTemporal,
} from './stack/services.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA = path.join(ROOT, '.data');
const require = createRequire(import.meta.url);
const log = prefixedLog;
const started: Service[] = [];
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** Fixed development ports (see the README); each service's own variables can move it elsewhere. */
const PORTS = { temporalUi: 8233, s3Console: 9001, mailWeb: 1080 };

let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('dev', 'stopping…');
    for (const service of [...started].reverse()) {
      await service.stop().catch((err: Error) => log('dev', `${service.name}: ${err.message}`));
    }
    log('dev', 'stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function given(name: string): boolean {
  return Boolean(process.env[name]);
}

async function requireFreePort(port: number, what: string): Promise<void> {
  if (await isPortOpen(port)) {
    throw new Error(
      `port ${port} (${what}) is already in use; stop whatever holds it, or is the platform already running?`,
    );
  }
}

async function kmsKey(): Promise<string> {
  const file = path.join(DATA, 's3-sse-key');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const key = newKmsSecretKey();
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}

async function main(): Promise<void> {
  const config = loadConfig();
  await mkdir(DATA, { recursive: true });
  const pending: Promise<unknown>[] = [];

  if (!given('DATABASE_URL')) {
    const url = new URL(config.database.url);
    await requireFreePort(Number(url.port), 'PostgreSQL');
    pending.push(
      startPostgres({
        port: Number(url.port),
        dataDir: path.join(DATA, 'postgres'),
        database: url.pathname.slice(1),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        log,
      }).then((s) => {
        started.push(s);
        log('dev', `postgres ready on ${url.host} (${elapsed()})`);
      }),
    );
  }
  if (!given('TEMPORAL_ADDRESS')) {
    const port = Number(config.temporal.address.split(':').pop());
    await requireFreePort(port, 'Temporal');
    await requireFreePort(PORTS.temporalUi, 'Temporal Web UI');
    pending.push(
      startTemporal({
        port,
        uiPort: PORTS.temporalUi,
        dbFile: path.join(DATA, 'temporal', 'temporal.db'),
        namespaces: config.temporal.namespace === 'default' ? [] : [config.temporal.namespace],
        log,
      }).then((s) => {
        started.push(s);
        log('dev', `temporal ready on ${s.address}, Web UI ${config.temporal.uiUrl} (${elapsed()})`);
      }),
    );
  }
  if (!given('S3_ENDPOINT') && config.s3.endpoint) {
    const port = Number(new URL(config.s3.endpoint).port);
    await requireFreePort(port, 'S3');
    pending.push(
      startObjectStore({
        port,
        consolePort: PORTS.s3Console,
        dataDir: path.join(DATA, 's3'),
        accessKeyId: config.s3.accessKeyId,
        secretAccessKey: config.s3.secretAccessKey,
        kmsSecretKey: await kmsKey(),
        log,
      }).then(async (s) => {
        started.push(s);
        const store = createObjectStore(config.s3);
        await ensureBucket(store);
        store.client.destroy();
        log(
          'dev',
          `s3 ready on ${s.endpoint}, bucket ${config.s3.bucket} encrypted with ${config.s3.serverSideEncryption} (${elapsed()})`,
        );
      }),
    );
  }
  if (!given('STRIPE_API_URL') && config.stripe.apiUrl) {
    const port = Number(new URL(config.stripe.apiUrl).port);
    await requireFreePort(port, 'stripe-mock');
    pending.push(startStripeMock({ port, log }).then((s) => void started.push(s)));
  }
  if (!given('SMTP_URL')) {
    const smtpPort = Number(new URL(config.mail.smtpUrl).port);
    await requireFreePort(smtpPort, 'SMTP');
    await requireFreePort(PORTS.mailWeb, 'mail web page');
    pending.push(
      startMailCatcher({ smtpPort, webPort: PORTS.mailWeb, mailDir: path.join(DATA, 'mail'), log }).then(
        (s) => {
          started.push(s);
          log(
            'dev',
            `mail catcher: SMTP ${s.smtpUrl}, read mail at http://localhost:${PORTS.mailWeb} (${elapsed()})`,
          );
        },
      ),
    );
  }
  const results = await Promise.allSettled(pending);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;

  const orm = await getOrm(config.database);
  const applied = await migrate(orm);
  await closeOrm(config.database);
  log('dev', applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  await requireFreePort(config.api.port, 'API');
  await requireFreePort(config.web.port, 'web');
  const node = process.execPath;
  const env = { ...process.env, FORCE_COLOR: '0' };
  for (const [name, entry] of [
    ['worker', 'worker/main.ts'],
    ['api', 'api/main.ts'],
  ] as const) {
    const service = startProcess(name, node, [path.join(ROOT, entry)], {
      cwd: ROOT,
      env,
      log,
      stopTimeoutMs: 15_000,
    });
    started.push(service);
    void service.exited.then((code) => {
      if (!stopping) {
        log('dev', `${name} exited with code ${code}; stopping the platform`);
        void stopAll(1);
      }
    });
  }
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const web = startProcess(
    'web',
    node,
    [vite, 'dev', '--host', '127.0.0.1', '--port', String(config.web.port), '--strictPort'],
    { cwd: path.join(ROOT, 'web'), env, log },
  );
  started.push(web);

  const readyz = `${config.api.internalUrl}/readyz`;
  await waitUntil('api readiness', async () => (await fetch(readyz)).ok, {
    timeoutMs: 120_000,
    intervalMs: 250,
  });
  await waitUntil('web', () => isPortOpen(config.web.port), { timeoutMs: 60_000, exited: web.exited });
  log(
    'dev',
    [
      `ready in ${elapsed()}`,
      `  site          ${config.web.publicUrl}`,
      `  api           ${config.api.internalUrl}  (readiness: ${readyz})`,
      `  temporal ui   ${config.temporal.uiUrl}`,
      `  mail          http://localhost:${PORTS.mailWeb}`,
      `  s3 console    http://localhost:${PORTS.s3Console}`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  const message = err instanceof ConfigError ? err.message : err instanceof Error ? err.message : String(err);
  log('dev', `failed: ${message}`);
  void stopAll(1);
});
