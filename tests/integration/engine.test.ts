// The production engine, as `TEMPORAL_ENGINE=server` and docker-compose.yml run it:
// temporal-server on the stack's PostgreSQL from config/temporal/, its schemas, its
// namespace with the chosen history retention and the search attributes, the
// platform's own worker running a workflow end to end, the server's Prometheus
// endpoint, the UI server, and a restart that keeps everything. One stack for the file.
import pg from 'pg';
import protos from '@temporalio/proto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';
import {
  TEMPORAL_DATABASES,
  readNamespaceSettings,
  startTemporalServer,
  type TemporalServer,
} from '../../scripts/stack/temporal-server.ts';
import { signedIn } from '../support/accounts.ts';
import type { TestClient } from '../support/client.ts';
import { json } from '../support/http.ts';
import { RELAY_ACTIVITIES, relayEagerHandOvers } from '../support/relay.ts';
import { startPlatform, type TestPlatform } from '../support/platform.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

const IndexedValueType = protos.temporal.api.enums.v1.IndexedValueType;
const NAMESPACE = 'default';
const DAY_MS = 24 * 60 * 60 * 1000;

let stack: TestStack;
let platform: TestPlatform;
let operator: TestClient;
let connection: Connection;
/** The server in use: the stack's, or the one a restart test started in its place. */
let server: TemporalServer;

beforeAll(async () => {
  stack = await startTestStack({ engine: 'server', ui: true });
  server = stack.temporalServer!;
  platform = await startPlatform(
    // The run's prebuilt workflow bundle: no second bundling for this file.
    { ...stack.env, WORKFLOW_BUNDLE_PATH: inject('stackEnv').WORKFLOW_BUNDLE_PATH! },
    { env: { TEMPORAL_NAMESPACE: NAMESPACE } },
  );
  operator = (await signedIn(platform, { role: 'operator', mfa: true })).client;
  connection = await Connection.connect({ address: server.address });
}, 300_000);

afterAll(async () => {
  await connection?.close();
  await platform?.stop();
  if (server && server !== stack?.temporalServer) await server.stop();
  await stack?.stop();
}, 120_000);

async function runDiagnostic(): Promise<{ id: string; workflowId: string }> {
  const res = await operator.post('/api/ops/diagnostics');
  expect(res.status).toBe(202);
  const started = await json(res);
  await vi.waitFor(
    async () => {
      const body = await json(await operator.get(`/api/ops/diagnostics/${started.id}`));
      expect(body.status).toBe('passed');
    },
    { timeout: 60_000, interval: 200 },
  );
  return started;
}

describe('the production engine', () => {
  it('creates both of Temporal’s databases on the platform’s PostgreSQL with their schemas', async () => {
    const url = new URL(stack.env.DATABASE_URL!);
    for (const [database, schema] of Object.entries(TEMPORAL_DATABASES)) {
      url.pathname = `/${database}`;
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const version = await client.query<{ curr_version: string }>(
          'select curr_version from schema_version where version_partition = 0 and db_name = $1',
          [database],
        );
        expect(version.rows[0]?.curr_version, `${database} (${schema})`).toMatch(/^\d+\.\d+$/);
        const table = database === 'temporal' ? 'executions' : 'executions_visibility';
        const found = await client.query('select 1 from information_schema.tables where table_name = $1', [
          table,
        ]);
        expect(found.rowCount, `${database}.${table}`).toBe(1);
      } finally {
        await client.end();
      }
    }
  });

  it('runs on PostgreSQL with the 16 history shards of the repository’s config', async () => {
    const info = await connection.workflowService.getClusterInfo({});
    expect(info.persistenceStore).toBe('postgres12');
    expect(info.visibilityStore).toBe('postgres12');
    expect(info.historyShardCount).toBe(16);
  });

  it('registers the namespace with the chosen history retention, between one day and a week', async () => {
    const settings = readNamespaceSettings();
    const described = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    const retentionMs = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) * 1000;
    expect(retentionMs).toBe(settings.retentionMs);
    // Long enough for operators to look at a failure, short for the user ids histories hold.
    expect(retentionMs).toBeGreaterThanOrEqual(DAY_MS);
    expect(retentionMs).toBeLessThanOrEqual(7 * DAY_MS);
  });

  it('registers every custom search attribute with its type', async () => {
    const listed = await connection.operatorService.listSearchAttributes({ namespace: NAMESPACE });
    const custom = Object.fromEntries(
      Object.entries(listed.customAttributes ?? {}).map(([name, type]) => [name, IndexedValueType[type]]),
    );
    for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) {
      expect(custom[name], name).toBe(`INDEXED_VALUE_TYPE_${type.toUpperCase()}`);
    }
  });

  it('runs a workflow end to end through the platform’s worker, found by visibility afterwards', async () => {
    const started = await runDiagnostic();
    const handle = platform.clients.temporal.client.workflow.getHandle(started.workflowId);
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    // Visibility records are written after the fact: wait until the closed run is listed.
    await vi.waitFor(
      async () => {
        const listed = await connection.workflowService.listWorkflowExecutions({
          namespace: NAMESPACE,
          query: `WorkflowId = '${started.workflowId}' AND ExecutionStatus = 'Completed'`,
        });
        expect(listed.executions.map((e) => e.execution?.workflowId)).toEqual([started.workflowId]);
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  it('hands a workflow’s activities to the worker in the answer to the task that scheduled them', async () => {
    const native = await NativeConnection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: NAMESPACE });
      const { answer, handedOver } = await relayEagerHandOvers(
        { native, client, namespace: NAMESPACE },
        server.metricsUrl,
      );
      expect(answer).toBe('baton>>');
      // At least the relay's: the platform's own workflows share the namespace.
      expect(handedOver).toBeGreaterThanOrEqual(RELAY_ACTIVITIES);
    } finally {
      await native.close();
    }
  });

  it('serves the server’s metrics in the Prometheus format', async () => {
    const res = await fetch(server.metricsUrl);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^# TYPE \w+ (counter|gauge|histogram)$/m);
    // Requests the frontend served, by operation: the figure an operator graphs first.
    expect(text).toMatch(/^service_requests\{.*operation="DescribeNamespace".*\} \d+/m);
  });

  it('makes no call home: the version check, which posts the cluster’s id and its SDKs to temporal.io, is off', async () => {
    // It runs as the frontend starts, long before this file's first test; when on, its
    // figures are in the metrics, as failed calls where there is no internet.
    const metrics = await (await fetch(server.metricsUrl)).text();
    expect(metrics.split('\n').filter((line) => line.startsWith('version_check'))).toEqual([]);
  });

  it('answers the Web UI’s workflow list through the UI server', async () => {
    const started = await runDiagnostic();
    const query = encodeURIComponent(`WorkflowId = '${started.workflowId}'`);
    await vi.waitFor(
      async () => {
        const res = await fetch(
          `${stack.temporalUiUrl}/api/v1/namespaces/${NAMESPACE}/workflows?query=${query}`,
        );
        expect(res.status).toBe(200);
        const body = (await res.json()) as { executions?: { execution: { workflowId: string } }[] };
        expect(body.executions?.map((e) => e.execution.workflowId)).toEqual([started.workflowId]);
      },
      { timeout: 30_000, interval: 200 },
    );
    const page = await fetch(stack.temporalUiUrl!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('keeps its databases, namespace and workflows across a restart, and runs workflows again', async () => {
    const before = await runDiagnostic();
    await server.stop();
    const url = new URL(stack.env.DATABASE_URL!);
    server = await startTemporalServer({
      postgres: {
        host: url.hostname,
        port: Number(url.port),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
      },
      ports: server.ports,
      log: () => {},
    });
    const handle = platform.clients.temporal.client.workflow.getHandle(before.workflowId);
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    const described = await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
    expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds) * 1000).toBe(
      readNamespaceSettings().retentionMs,
    );
    // The worker reconnects by itself and picks up new work.
    const after = await runDiagnostic();
    expect(after.id).not.toBe(before.id);
  });
});
