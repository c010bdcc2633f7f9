// The platform's processes, in-process, against the test stack: clients, workers on a
// fresh namespace, and the API on a free loopback port.
import { inject } from 'vitest';
import { loadConfig, type Config } from '../../config/index.ts';
import { startApi, type RunningApi } from '../../api/server.ts';
import { createClients, type Clients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import { startWorkers, type RunningWorkers } from '../../worker/workers.ts';
import { createTestNamespace } from './temporal.ts';

/** The configuration a test gets: the test stack, plus its own overrides. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...process.env, ...inject('stackEnv'), ...overrides });
}

export interface TestPlatform {
  config: Config;
  clients: Clients;
  api: RunningApi;
  workers?: RunningWorkers;
  namespace: string;
  /** fetch against the API, with a path such as `/readyz`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  env?: Record<string, string>;
  workers?: boolean;
  apiPort?: number;
}

/** Starts the platform against a stack described by `stackEnv` (tests, benchmarks). */
export async function startPlatform(
  stackEnv: Record<string, string>,
  options: PlatformOptions = {},
): Promise<TestPlatform> {
  // A stack that names its namespace (the production engine's) is used as it is.
  const namespace =
    options.env?.TEMPORAL_NAMESPACE ??
    stackEnv.TEMPORAL_NAMESPACE ??
    (await createTestNamespace(stackEnv.TEMPORAL_ADDRESS!));
  const config = loadConfig({ ...process.env, ...stackEnv, TEMPORAL_NAMESPACE: namespace, ...options.env });
  const logger = createLogger({ level: config.logLevel, name: 'test' });
  const clients = await createClients(config, logger);
  const workers =
    options.workers === false ? undefined : await startWorkers({ config, logger, deps: clients });
  const api = await startApi(clients, { port: options.apiPort ?? 0, host: '127.0.0.1' });
  return {
    config,
    clients,
    api,
    workers,
    namespace,
    fetch: (path, init) => fetch(`${api.url}${path}`, init),
    async stop() {
      await api.close();
      await workers?.shutdown();
      await clients.close();
    },
  };
}

/** The platform against the test run's stack, on a fresh Temporal namespace. */
export function startTestPlatform(options: PlatformOptions = {}): Promise<TestPlatform> {
  return startPlatform(inject('stackEnv'), options);
}
