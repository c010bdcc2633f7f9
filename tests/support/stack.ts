// The real stack for a test run: PostgreSQL, Temporal, S3 (MinIO), stripe-mock and the
// mail catcher, each on a free loopback port with its data in a temporary folder that
// is removed afterwards. Never the developer's running instance. Temporal is either
// engine: the CLI's dev server (the default), or the production engine (temporal-server
// on this stack's PostgreSQL from config/temporal/, optionally with its UI server).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { closeOrm, getOrm, migrate } from '../../db/orm.ts';
import { createObjectStore, ensureBucket } from '../../platform/s3.ts';
import { freePort, silentLog, type LogSink, type Service } from '../../scripts/stack/process.ts';
import {
  newKmsSecretKey,
  startMailCatcher,
  startObjectStore,
  startPostgres,
  startStripeMock,
  startTemporal,
} from '../../scripts/stack/services.ts';
import {
  freeServerPorts,
  startTemporalServer,
  startTemporalUi,
  type ServerPorts,
  type TemporalServer,
} from '../../scripts/stack/temporal-server.ts';

export type TemporalEngine = 'dev' | 'server';

/** How an engine is named in a benchmark's progress and tables. */
export const TEMPORAL_ENGINE_NAMES: Record<TemporalEngine, string> = {
  dev: 'dev server on a SQLite file',
  server: 'temporal-server on PostgreSQL',
};

/** The services a fault test may stop and start again on the same port and data. */
export type RestartableService = 'postgres' | 'temporal';

export interface TestStack {
  /** Environment variables that point the platform at this stack. */
  env: Record<string, string>;
  /** Ports of the stack's services, for tests that stop or restart one. */
  dir: string;
  services: Record<'temporal' | 's3' | 'stripe' | 'mail', Service> & { postgres: Service & { url: string } };
  mailWebUrl: string;
  engine: TemporalEngine;
  /** The production engine's server (ports, metrics endpoint); engine `server` only. */
  temporalServer?: TemporalServer;
  /** The UI server's base URL; engine `server` with `ui` only. */
  temporalUiUrl?: string;
  /** Where the Temporal server in use serves its Prometheus metrics, either engine. */
  readonly temporalMetricsUrl: string;
  /**
   * Stops a service and starts it again on the same port with the same data (a database
   * or engine restart); `services` and `temporalServer` then name the new process.
   * `temporal` needs engine `server` (the dev server keeps its data in memory).
   */
  restart(service: RestartableService): Promise<void>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  log?: LogSink;
  /** `dev` (the CLI's dev server, in memory) unless given. */
  engine?: TemporalEngine;
  /** Engine `server`: also start the UI server. */
  ui?: boolean;
  /** Engine `dev`: keep Temporal's state in a SQLite file, as `npm start` does (in memory unless set). */
  temporalFile?: boolean;
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const engine = options.engine ?? 'dev';
  const log =
    options.log ?? (process.env.STACK_LOG ? (s, l) => process.stderr.write(`${s} | ${l}\n`) : silentLog);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-test-'));
  // PostgreSQL runs as its own user when we are root; it must reach its data folder.
  await chmod(dir, 0o755);
  const [pgPort, temporalPort, s3Port, stripePort, smtpPort, mailWebPort, devMetricsPort] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  const accessKeyId = 'clipwise-test';
  const secretAccessKey = 'clipwise-test-secret';
  const started: Service[] = [];
  const track = <T extends Service>(s: T): T => {
    started.push(s);
    return s;
  };
  const stopStarted = async () => {
    // Temporal and its UI before the PostgreSQL they use; the rest at once.
    for (const s of [...started].reverse().filter((s) => s.name.startsWith('temporal'))) await s.stop();
    await Promise.all(started.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  let temporalServer: TemporalServer | undefined;
  let temporalUiUrl: string | undefined;
  try {
    const startDatabase = () =>
      startPostgres({
        port: pgPort!,
        dataDir: path.join(dir, 'postgres'),
        database: 'clipwise_test',
        ephemeral: true,
        log,
      }).then(track);
    const startServer = async (postgresUrl: string, ports: Partial<ServerPorts>) => {
      const url = new URL(postgresUrl);
      return track(
        await startTemporalServer({
          postgres: {
            host: url.hostname,
            port: Number(url.port),
            user: decodeURIComponent(url.username),
            password: decodeURIComponent(url.password),
          },
          ports,
          log,
        }),
      );
    };
    const postgresReady = startDatabase();
    const temporalReady =
      engine === 'dev'
        ? startTemporal({
            port: temporalPort!,
            dbFile: options.temporalFile ? path.join(dir, 'temporal', 'temporal.db') : undefined,
            // Each test file registers its own namespace; make it usable at once.
            dynamicConfig: { 'system.namespaceCacheRefreshInterval': '100ms' },
            metricsPort: devMetricsPort,
            log,
          }).then(track)
        : postgresReady.then(async (postgres) => {
            temporalServer = await startServer(postgres.url, {
              ...(await freeServerPorts()),
              frontend: temporalPort!,
            });
            if (options.ui) {
              const ui = track(
                await startTemporalUi({ grpcAddress: temporalServer.address, port: await freePort(), log }),
              );
              temporalUiUrl = ui.url;
            }
            return temporalServer;
          });
    const starts = [
      postgresReady,
      temporalReady,
      startObjectStore({
        port: s3Port!,
        dataDir: path.join(dir, 's3'),
        accessKeyId,
        secretAccessKey,
        kmsSecretKey: newKmsSecretKey(),
        log,
      }).then(track),
      startStripeMock({ port: stripePort!, log }).then(track),
      // The mails inside the stack's folder, which goes when the stack stops.
      startMailCatcher({
        smtpPort: smtpPort!,
        webPort: mailWebPort!,
        mailDir: path.join(dir, 'mail'),
        log,
      }).then(track),
    ] as const;
    // Every start settles before any failure is handled, so none is left running after it.
    await Promise.allSettled(starts);
    const [postgres, temporal, s3, stripe, mail] = await Promise.all(starts);
    const env: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      DATABASE_URL: postgres.url,
      TEMPORAL_ADDRESS: temporal.address,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: accessKeyId,
      S3_SECRET_ACCESS_KEY: secretAccessKey,
      S3_BUCKET: 'clipwise-test',
      STRIPE_API_URL: stripe.url,
      SMTP_URL: mail.smtpUrl,
    };
    // The production engine registers one namespace (namespace.sh), with the search attributes.
    if (temporalServer) env.TEMPORAL_NAMESPACE = temporalServer.namespace;
    const config = loadConfig({ ...process.env, ...env });
    const orm = await getOrm(config.database);
    await migrate(orm);
    await closeOrm(config.database);
    const store = createObjectStore(config.s3);
    await ensureBucket(store);
    store.client.destroy();
    const stack: TestStack = {
      env,
      dir,
      services: { postgres, temporal, s3, stripe, mail },
      mailWebUrl: mail.webUrl,
      engine,
      temporalServer,
      temporalUiUrl,
      get temporalMetricsUrl() {
        return stack.temporalServer?.metricsUrl ?? `http://127.0.0.1:${devMetricsPort}/metrics`;
      },
      async restart(service) {
        if (service === 'postgres') {
          await stack.services.postgres.stop();
          stack.services.postgres = await startDatabase();
          return;
        }
        const server = stack.temporalServer;
        if (!server) throw new Error('only the production engine (engine: server) can be restarted');
        await server.stop();
        stack.temporalServer = await startServer(stack.services.postgres.url, server.ports);
        stack.services.temporal = stack.temporalServer;
      },
      stop: stopStarted,
    };
    return stack;
  } catch (err) {
    await stopStarted();
    throw err;
  }
}
