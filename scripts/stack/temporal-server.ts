// The production engine on this machine: temporal-server on PostgreSQL, started from the
// repository's own configuration (config/temporal/), and the Temporal UI server in
// front of it. docker-compose.yml runs the same files with the same arguments, so the
// tests run what a deployment runs. Every step is safe to repeat: existing databases,
// schemas, namespace and search attributes are kept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { Connection } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';
import {
  freePort,
  freePortInRange,
  runToCompletion,
  startProcess,
  stopOnFailure,
  waitUntil,
  type LogSink,
  type ProcessGroup,
  type Service,
} from './process.ts';
import { locateTool } from './tools.ts';

/** The folder that holds `temporal/`; every process of this engine runs from it. */
export const CONFIG_ROOT = fileURLToPath(new URL('../../config', import.meta.url));

/**
 * The engine's files, relative to CONFIG_ROOT here and to /etc/clipwise in
 * docker-compose.yml (a unit test checks the compose file uses these same paths).
 */
export const TEMPORAL_FILES = {
  serverConfigDir: 'temporal/server',
  uiConfigDir: 'temporal/ui',
  /** Selects `<dir>/production.yaml` in both config folders. */
  configEnv: 'production',
  dynamicConfig: 'temporal/dynamic-config.yaml',
  schemaSteps: 'temporal/schema.sh',
  namespaceSteps: 'temporal/namespace.sh',
  namespaceSettings: 'temporal/namespace.env',
} as const;

/**
 * The servers' command lines. No authorizer: the frontend must only be reachable by the
 * platform's processes and the UI server (loopback here, the compose network there).
 */
export const SERVER_ARGS = [
  '--root',
  '.',
  '--config',
  TEMPORAL_FILES.serverConfigDir,
  '--env',
  TEMPORAL_FILES.configEnv,
  '--allow-no-auth',
  'start',
];
export const UI_SERVER_ARGS = [
  '--root',
  '.',
  '--config',
  TEMPORAL_FILES.uiConfigDir,
  '--env',
  TEMPORAL_FILES.configEnv,
  'start',
];

/** Schema names temporal-sql-tool knows, for each of Temporal's databases. */
export const TEMPORAL_DATABASES = {
  temporal: 'postgresql/v12/temporal',
  temporal_visibility: 'postgresql/v12/visibility',
} as const;

export interface ServerPorts {
  frontend: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  /** Prometheus endpoint, `/metrics`. */
  metrics: number;
}

/** The config file's defaults; the local profile uses them unless told otherwise. */
export const SERVER_PORTS: ServerPorts = {
  frontend: 7233,
  history: 7234,
  matching: 7235,
  worker: 7239,
  frontendMembership: 6933,
  historyMembership: 6934,
  matchingMembership: 6935,
  workerMembership: 6939,
  metrics: 8000,
};

/** The variables server/production.yaml reads each port from. */
export const SERVER_PORT_VARIABLES: Record<keyof ServerPorts, string> = {
  frontend: 'TEMPORAL_FRONTEND_PORT',
  history: 'TEMPORAL_HISTORY_PORT',
  matching: 'TEMPORAL_MATCHING_PORT',
  worker: 'TEMPORAL_WORKER_PORT',
  frontendMembership: 'TEMPORAL_FRONTEND_MEMBERSHIP_PORT',
  historyMembership: 'TEMPORAL_HISTORY_MEMBERSHIP_PORT',
  matchingMembership: 'TEMPORAL_MATCHING_MEMBERSHIP_PORT',
  workerMembership: 'TEMPORAL_WORKER_MEMBERSHIP_PORT',
  metrics: 'TEMPORAL_METRICS_PORT',
};

/**
 * The server records each membership port in a PostgreSQL smallint column
 * (cluster_membership.rpc_port): above 32767 it fails at start-up. The OS hands out
 * free ports above that, so membership ports come from below it.
 */
const MEMBERSHIP_PORT_RANGE = { min: 20_000, max: 32_767 };

/** Free loopback ports for every listener of the server (tests, several servers on one machine). */
export async function freeServerPorts(): Promise<ServerPorts> {
  const entries: [string, number][] = [];
  for (const key of Object.keys(SERVER_PORTS)) {
    const port = key.endsWith('Membership')
      ? await freePortInRange(MEMBERSHIP_PORT_RANGE.min, MEMBERSHIP_PORT_RANGE.max)
      : await freePort();
    entries.push([key, port]);
  }
  return Object.fromEntries(entries) as unknown as ServerPorts;
}

/** Whether the frontend at `address` answers its health check as serving. */
async function frontendServing(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const health = await connection.healthService.check({
      service: 'temporal.api.workflowservice.v1.WorkflowService',
    });
    return health.status === 1; // SERVING
  } finally {
    await connection.close();
  }
}

/** How long to wait for each stage; the server was ready in under 20 s on 2 busy cores. */
const TIMEOUTS = { serverReadyMs: 120_000, namespaceReadyMs: 60_000, uiReadyMs: 30_000 };

export interface NamespaceSettings {
  /** As written in namespace.env, e.g. `72h`. */
  retention: string;
  retentionMs: number;
  searchAttributes: Record<string, string>;
}

/** The namespace's retention and search attributes, as namespace.sh registers them. */
export function readNamespaceSettings(): NamespaceSettings {
  const file = path.join(CONFIG_ROOT, TEMPORAL_FILES.namespaceSettings);
  const values = parseEnv(readFileSync(file, 'utf8'));
  const retention = values.NAMESPACE_RETENTION;
  const attributes = values.SEARCH_ATTRIBUTES;
  if (!retention || !attributes)
    throw new Error(`${file} must set NAMESPACE_RETENTION and SEARCH_ATTRIBUTES`);
  return {
    retention,
    retentionMs: msToNumber(retention as Duration),
    searchAttributes: Object.fromEntries(
      attributes
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    ),
  };
}

export interface PostgresAccess {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** PostgreSQL as temporal-sql-tool and server/production.yaml read it. */
function sqlEnv(postgres: PostgresAccess): Record<string, string> {
  return {
    SQL_HOST: postgres.host,
    SQL_PORT: String(postgres.port),
    SQL_USER: postgres.user,
    SQL_PASSWORD: postgres.password,
  };
}

/** The engine's processes get only what they need from ours, never the platform's secrets. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TZ', 'TEMPORAL_LOG_LEVEL']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}

/**
 * The server logs one JSON object per line with a stack trace on every error; the
 * launcher shows `level message: error` instead, the whole line when it is not JSON.
 */
export function compactServerLog(log: LogSink): LogSink {
  return (service, line) => {
    if (!line.startsWith('{')) return log(service, line);
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      log(service, `${entry.level ?? 'log'} ${entry.msg ?? ''}${entry.error ? `: ${entry.error}` : ''}`);
    } catch {
      log(service, line);
    }
  };
}

export interface TemporalServerOptions {
  /** The platform's PostgreSQL; Temporal's two databases are created on it. */
  postgres: PostgresAccess;
  /** Missing ports take the config file's defaults (SERVER_PORTS). */
  ports?: Partial<ServerPorts>;
  /** Interface the services listen on; loopback unless given. */
  bindIp?: string;
  /** History shards; the config file's (16) unless given. Fixed once the databases hold data. */
  shards?: number;
  /** The namespace namespace.sh registers; `default` unless given. */
  namespace?: string;
  log: LogSink;
  group?: ProcessGroup;
}

export interface TemporalServer extends Service {
  /** The frontend, for clients and workers: host:port. */
  address: string;
  namespace: string;
  ports: ServerPorts;
  metricsUrl: string;
}

/**
 * Sets up the schemas, starts temporal-server, waits until its frontend serves, then
 * registers the namespace and waits until its search attributes answer queries.
 */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const { log, group } = options;
  const ports: ServerPorts = { ...SERVER_PORTS, ...options.ports };
  const bindIp = options.bindIp ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const env = { ...baseEnv(), ...sqlEnv(options.postgres) };

  await runToCompletion('temporal-schema', 'bash', [TEMPORAL_FILES.schemaSteps], {
    cwd: CONFIG_ROOT,
    env: { ...env, TEMPORAL_SQL_TOOL: locateTool('temporal-sql-tool') },
    log,
    group,
  });

  const serverEnv: Record<string, string> = {
    // Start-up and shutdown warn at length about peers not yet (or no longer) there.
    TEMPORAL_LOG_LEVEL: 'error',
    ...env,
    TEMPORAL_BIND_IP: bindIp,
    TEMPORAL_BROADCAST_ADDRESS: bindIp === '0.0.0.0' ? '127.0.0.1' : bindIp,
  };
  for (const [key, variable] of Object.entries(SERVER_PORT_VARIABLES)) {
    serverEnv[variable] = String(ports[key as keyof ServerPorts]);
  }
  if (options.shards) serverEnv.TEMPORAL_HISTORY_SHARDS = String(options.shards);
  const server = startProcess('temporal', locateTool('temporal-server'), SERVER_ARGS, {
    cwd: CONFIG_ROOT,
    env: serverEnv,
    log: compactServerLog(log),
    group,
    stopTimeoutMs: 20_000,
  });
  const address = `${bindIp === '0.0.0.0' ? '127.0.0.1' : bindIp}:${ports.frontend}`;

  await stopOnFailure(
    server,
    (async () => {
      await waitUntil('temporal-server', () => frontendServing(address), {
        exited: server.exited,
        timeoutMs: TIMEOUTS.serverReadyMs,
        intervalMs: 250,
        signal: group?.signal,
        output: server.lastOutput,
      });
      await runToCompletion('temporal-setup', 'bash', [TEMPORAL_FILES.namespaceSteps], {
        cwd: CONFIG_ROOT,
        env: {
          ...baseEnv(),
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: namespace,
          TEMPORAL_CLI: locateTool('temporal'),
        },
        log,
        group,
      });
      await waitUntil(`namespace ${namespace}`, () => namespaceAnswers(address, namespace), {
        exited: server.exited,
        timeoutMs: TIMEOUTS.namespaceReadyMs,
        intervalMs: 250,
        signal: group?.signal,
      });
    })(),
  );
  return {
    ...server,
    address,
    namespace,
    ports,
    metricsUrl: `http://${address.split(':')[0]}:${ports.metrics}/metrics`,
  };
}

/** A query naming every custom search attribute answers once the namespace can run the platform. */
async function namespaceAnswers(address: string, namespace: string): Promise<boolean> {
  const probe: Record<string, string> = {
    Keyword: `= 'probe'`,
    Text: `= 'probe'`,
    Datetime: `> '2000-01-01T00:00:00Z'`,
    Int: '> 0',
    Double: '> 0',
    Bool: '= true',
  };
  const query = Object.entries(SEARCH_ATTRIBUTES)
    .map(([name, type]) => `${name} ${probe[type]}`)
    .join(' OR ');
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    await connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1 });
    return true;
  } finally {
    await connection.close();
  }
}

export interface TemporalUiOptions {
  /** The frontend the UI server talks to: host:port. */
  grpcAddress: string;
  port: number;
  host?: string;
  namespace?: string;
  log: LogSink;
  group?: ProcessGroup;
}

/** Starts the Temporal UI server (the Web UI and its HTTP API) against the frontend. */
export async function startTemporalUi(options: TemporalUiOptions): Promise<Service & { url: string }> {
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${options.port}`;
  const ui = startProcess('temporal-ui', locateTool('temporal-ui-server'), UI_SERVER_ARGS, {
    cwd: CONFIG_ROOT,
    env: {
      ...baseEnv(),
      TEMPORAL_ADDRESS: options.grpcAddress,
      TEMPORAL_UI_HOST: host,
      TEMPORAL_UI_PORT: String(options.port),
      TEMPORAL_UI_URL: `http://localhost:${options.port}`,
      TEMPORAL_NAMESPACE: options.namespace ?? 'default',
    },
    log: options.log,
    group: options.group,
  });
  await stopOnFailure(
    ui,
    waitUntil('temporal-ui', async () => (await fetch(`${url}/api/v1/settings`)).ok, {
      exited: ui.exited,
      timeoutMs: TIMEOUTS.uiReadyMs,
      intervalMs: 200,
      signal: options.group?.signal,
    }),
  );
  return { ...ui, url };
}
