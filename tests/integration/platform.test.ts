import { GetObjectCommand } from '@aws-sdk/client-s3';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticCheck } from '../../db/entities/index.ts';
import { UnwatchedWorker } from '../../worker/unwatched-worker.ts';
import { json } from '../support/http.ts';
import { signedIn } from '../support/accounts.ts';
import type { TestClient } from '../support/client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
let operator: TestClient;
beforeAll(async () => {
  platform = await startTestPlatform();
  operator = (await signedIn(platform, { role: 'operator', mfa: true })).client;
});
afterAll(async () => {
  await platform?.stop();
});

async function waitForDiagnostic(
  id: string,
): Promise<{ status: string; objectKey: string | null; detail: string | null }> {
  for (let i = 0; i < 200; i++) {
    const res = await operator.get(`/api/ops/diagnostics/${id}`);
    const body = await json(res);
    if (body.status !== 'running') return body;
    await sleep(100);
  }
  throw new Error('diagnostic did not finish');
}

describe('platform wiring', () => {
  it('reports PostgreSQL, Temporal and S3 ready', async () => {
    const res = await platform.fetch('/readyz');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.status).toBe('ready');
    expect(Object.keys(body.checks).sort()).toEqual(['postgres', 's3', 'temporal']);
    for (const check of Object.values(body.checks) as { ok: boolean }[]) expect(check.ok).toBe(true);
    expect((await platform.fetch('/healthz')).status).toBe(200);
  });

  it('polls every task queue with workers that call into workflows without the vm watchdog', () => {
    const { workers } = platform.workers!;
    expect(workers.length).toBeGreaterThan(1);
    for (const worker of workers) expect(worker).toBeInstanceOf(UnwatchedWorker);
  });

  it('runs a workflow started through the API that writes PostgreSQL and S3, both read back', async () => {
    const res = await operator.post('/api/ops/diagnostics');
    expect(res.status).toBe(202);
    const started = await json(res);
    expect(started.workflowId).toBe(`diagnostic-${started.id}`);
    expect(started.temporalUiUrl).toContain(
      `/namespaces/${platform.namespace}/workflows/${started.workflowId}`,
    );

    const done = await waitForDiagnostic(started.id);
    expect(done.status).toBe('passed');

    // PostgreSQL: the row the workflow's activities wrote.
    const row = await platform.clients.orm.em.fork().findOneOrFail(DiagnosticCheck, { id: started.id });
    expect(row.status).toBe('passed');
    expect(row.completedAt).toBeInstanceOf(Date);
    expect(row.objectKey).toBe(`diagnostics/${started.id}.json`);

    // S3: the object, its bytes and its encryption at rest (R-CRYPTO).
    const { store } = platform.clients;
    const object = await store.client.send(
      new GetObjectCommand({ Bucket: store.bucket, Key: row.objectKey! }),
    );
    expect(object.ServerSideEncryption).toBe('AES256');
    const content = JSON.parse(await object.Body!.transformToString());
    expect(content.checkId).toBe(started.id);

    // Temporal: the workflow's history, found through the client, once it ended (the row
    // says passed from its last activity, a moment before).
    const handle = platform.clients.temporal.client.workflow.getHandle(started.workflowId);
    await handle.result();
    const history = await handle.fetchHistory();
    const activityTypes = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activityTypes).toEqual([
      'recordDiagnosticStart',
      'writeDiagnosticObject',
      'verifyDiagnosticObject',
      'completeDiagnostic',
    ]);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });

  it('answers an unknown diagnostic id with a JSON 404 and a bad one with a 400 naming the field', async () => {
    const missing = await operator.get('/api/ops/diagnostics/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe('not_found');
    const bad = await operator.get('/api/ops/diagnostics/not-a-uuid');
    expect(bad.status).toBe(400);
    const body = await json(bad);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.fields[0].field).toBe('id');
  });
});

describe('HTTP conventions', () => {
  it('gives every response a request id, echoing a well-formed one', async () => {
    const res = await platform.fetch('/healthz', { headers: { 'X-Request-Id': 'trace-abc-12345' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-12345');
    const other = await platform.fetch('/healthz', { headers: { 'X-Request-Id': 'bad id with spaces' } });
    expect(other.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes, malformed JSON and oversized bodies with JSON errors', async () => {
    const unknown = await platform.fetch('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error).toMatchObject({ code: 'not_found' });

    const malformed = await platform.fetch('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken":',
    });
    expect(malformed.status).toBe(400);
    expect((await json(malformed)).error.code).toBe('invalid_request');

    const huge = await platform.fetch('/api/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ padding: 'x'.repeat(200 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect((await json(huge)).error.code).toBe('payload_too_large');
  });

  it('serves an OpenAPI document generated from the route declarations', async () => {
    const doc = await json(await platform.fetch('/api/openapi.json'));
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/readyz', '/api/ops/diagnostics/{id}']));
  });
});
