import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/stack/process.ts';
import { json } from '../support/http.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

// Ports nothing listens on stand in for a dependency that is down.
describe('readiness with a dependency down', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    const [temporalPort, s3Port] = await Promise.all([freePort(), freePort()]);
    platform = await startTestPlatform({
      workers: false,
      env: {
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
        S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
        TEMPORAL_CONNECT_TIMEOUT_MS: '1000',
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('fails /readyz naming each dependency that is down, within its deadline', async () => {
    const started = performance.now();
    const res = await platform.fetch('/readyz');
    const took = performance.now() - started;
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.status).toBe('unavailable');
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.temporal.ok).toBe(false);
    expect(body.checks.s3.ok).toBe(false);
    expect(body.checks.temporal.error).toBeTruthy();
    // A deadline of 1 s per check, run side by side: the probe answers instead of hanging.
    expect(took).toBeLessThan(5000);
    // Liveness does not depend on anything else.
    expect((await platform.fetch('/healthz')).status).toBe(200);
  });

  it('fails with postgres named when the database is unreachable', async () => {
    const pgPort = await freePort();
    const down = await startTestPlatform({
      workers: false,
      env: {
        TEMPORAL_NAMESPACE: 'default',
        DATABASE_URL: `postgres://postgres:postgres@127.0.0.1:${pgPort}/nowhere`,
      },
    }).catch((err: Error) => err);
    // MikroORM connects lazily: the API starts and reports the database down.
    expect(down).not.toBeInstanceOf(Error);
    const p = down as TestPlatform;
    try {
      const res = await p.fetch('/readyz');
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.checks.postgres.ok).toBe(false);
      expect(body.checks.temporal.ok).toBe(true);
      expect(body.checks.s3.ok).toBe(true);
    } finally {
      await p.stop();
    }
  });
});
