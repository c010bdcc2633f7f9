// Generation tests: the platform wired to the provider simulator, helpers to create
// jobs and wait for them the way a client would, and a job row written directly for
// tests of a single step.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { GenerationJob } from '../../db/entities/index.ts';
import { workflowIds } from '../../domain/temporal.ts';
import type { JobStatus } from '../../domain/generation.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { SIMULATOR_API_KEY, startProviderSimulator, type ProviderSimulator } from './simulator/index.ts';
import type { TestClient } from './client.ts';
import { eventually } from './assets.ts';
import { startTestPlatform, type TestPlatform } from './platform.ts';

export interface GenerationHarness {
  platform: TestPlatform;
  simulator: ProviderSimulator;
  stop(): Promise<void>;
}

/** Every provider pointed at the simulator; webhooks reach this API on its own port. */
export async function startGenerationHarness(env: Record<string, string> = {}): Promise<GenerationHarness> {
  const simulator = await startProviderSimulator();
  const apiPort = await freePort();
  const providerEnv: Record<string, string> = {};
  for (const [key, base] of [
    ['RUNWAY', 'RUNWAY_BASE_URL'],
    ['LUMA', 'LUMA_BASE_URL'],
    ['FAL', 'FAL_QUEUE_URL'],
    ['ARK', 'ARK_BASE_URL'],
    ['EVOLINK', 'EVOLINK_BASE_URL'],
  ] as const) {
    providerEnv[key === 'FAL' ? 'FAL_KEY' : `${key}_API_KEY`] = SIMULATOR_API_KEY;
    providerEnv[base] = simulator.url;
  }
  // fal signs its webhooks; the simulator signs as fal does and serves its keys.
  providerEnv.FAL_WEBHOOK_JWKS_URL = simulator.falJwksUrl;
  const platform = await startTestPlatform({
    apiPort,
    env: { PUBLIC_API_URL: `http://127.0.0.1:${apiPort}`, ...providerEnv, ...env },
  });
  return {
    platform,
    simulator,
    async stop() {
      await platform.stop();
      await simulator.stop();
    },
  };
}

export const jobRequest = (overrides: Record<string, unknown> = {}) => ({
  modelId: 'local-v1',
  prompt: `a calm lake at dawn ${randomUUID().slice(0, 6)}`,
  durationSeconds: 2,
  aspectRatio: '16:9',
  resolution: '540p',
  ...overrides,
});

export async function createJob(
  client: TestClient,
  body: Record<string, unknown>,
  key = randomUUID(),
): Promise<Response> {
  return client.request('POST', '/api/jobs', body, { 'idempotency-key': key });
}

export const TERMINAL = ['succeeded', 'failed', 'cancelled', 'rejected'];

/** Polls the job until it ends (or `until` says so). */
export async function waitForJob(
  client: TestClient,
  jobId: string,
  options: { timeoutMs?: number; until?: (job: any) => boolean } = {},
): Promise<any> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const until = options.until ?? ((job: any) => TERMINAL.includes(job.status));
  let last: any;
  while (Date.now() < deadline) {
    last = await (await client.get(`/api/jobs/${jobId}`)).json();
    if (until(last)) return last;
    await sleep(150);
  }
  throw new Error(`job ${jobId} did not get there in time; last seen ${JSON.stringify(last)}`);
}

/**
 * A job's row as the API writes it (4 credits quoted, nothing reserved), in `status`,
 * for a test of one step; the built-in renderer's model unless another is given.
 */
export async function insertJobRow(
  em: EntityManager,
  job: {
    userId: string;
    status: JobStatus;
    model?: string;
    provider?: string;
    prompt?: string;
    createdAt?: Date;
  },
): Promise<string> {
  const id = randomUUID();
  await em.insert(GenerationJob, {
    id,
    user: job.userId,
    model: job.model ?? 'local-v1',
    provider: job.provider ?? 'local',
    prompt: job.prompt ?? 'a harbour at dawn',
    parameters: { durationSeconds: 4, aspectRatio: '16:9', inputs: [] },
    status: job.status,
    creditsQuoted: 4,
    requestHash: '0'.repeat(64),
    createdAt: job.createdAt ?? new Date(),
  });
  return id;
}

/**
 * Waits until the job's workflow has `activity` pending past its `pastAttempt`-th attempt:
 * a step that goes on trying (while a service of ours does not answer).
 */
export function activityPending(
  platform: TestPlatform,
  jobId: string,
  activity: string,
  pastAttempt = 0,
  timeoutMs = 120_000,
): Promise<string> {
  return stepPending(platform, workflowIds.generation(jobId), [activity], pastAttempt, timeoutMs);
}

/** The same for any workflow, and whichever of `activities` gets there: the one that did. */
export function stepPending(
  platform: TestPlatform,
  workflowId: string,
  activities: readonly string[],
  pastAttempt = 0,
  timeoutMs = 120_000,
): Promise<string> {
  const workflow = platform.clients.temporal.client.workflow.getHandle(workflowId);
  return eventually(
    async () =>
      ((await workflow.describe()).raw.pendingActivities ?? []).find(
        (a) => activities.includes(a.activityType?.name ?? '') && (a.attempt ?? 0) > pastAttempt,
      )?.activityType?.name ?? null,
    timeoutMs,
    `${activities.join(' or ')}'s attempt ${pastAttempt + 1}`,
  );
}
