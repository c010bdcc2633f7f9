// The contract every adapter keeps, checked against the provider simulator speaking each
// provider's real API shape: statuses normalised, errors classified for the workflow's
// retry decisions, moderation told apart before and after the render.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLumaAdapter } from '../../../providers/luma.ts';
import { createPikaAdapter } from '../../../providers/pika.ts';
import { createRunwayAdapter } from '../../../providers/runway.ts';
import { createSeedanceAdapter } from '../../../providers/seedance.ts';
import { createVeoAdapter } from '../../../providers/veo.ts';
import type { AdapterOptions } from '../../../providers/http.ts';
import type { GenerationRequest, ProviderAdapter } from '../../../providers/types.ts';
import type { ModelSpec } from '../../../domain/models.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator, SimProvider } from '../../support/simulator/index.ts';
import { startWebhookReceiver } from '../../support/simulator/receiver.ts';
import type { WebhookReceiver } from '../../support/simulator/receiver.ts';
import { follow, model, providerError, requestFor } from './helpers.ts';

/** Short enough that a delayed answer times out quickly, long enough for loopback. */
const SHORT_TIMEOUT_MS = 150;
const SLOW_ANSWER_MS = 600;
/** Keeps a task in the queue for the whole of a test. */
const LONG_QUEUE_MS = 60_000;

interface Case {
  provider: SimProvider;
  create: (options: AdapterOptions) => ProviderAdapter;
  model: ModelSpec;
  /** Where the provider refuses a prompt: an error at create, or a failed task. */
  inputModeration: 'submit' | 'task';
  /** How a cancelled task reads afterwards: its own status, or gone (deleted). */
  afterCancel: 'cancelled' | 'gone' | 'runs on';
  /** The state the task must be in for the provider to honour a cancel. */
  cancelWhile: 'queued' | 'running';
  /** A well-formed id the provider never issued. */
  unknownTaskId: string;
}

const CASES: Case[] = [
  {
    provider: 'runway',
    create: createRunwayAdapter,
    model: model('runway-gen4-turbo'),
    inputModeration: 'task',
    afterCancel: 'cancelled',
    cancelWhile: 'running',
    unknownTaskId: 'missing-task',
  },
  {
    provider: 'luma',
    create: createLumaAdapter,
    model: model('luma-ray-2'),
    inputModeration: 'submit',
    afterCancel: 'gone',
    cancelWhile: 'running',
    unknownTaskId: '00000000-0000-0000-0000-000000000000',
  },
  {
    provider: 'pika',
    create: createPikaAdapter,
    model: model('pika-2.2'),
    inputModeration: 'task',
    afterCancel: 'cancelled',
    cancelWhile: 'queued',
    unknownTaskId: 'fal-ai/pika:00000000-0000-0000-0000-000000000000',
  },
  {
    provider: 'seedance',
    create: createSeedanceAdapter,
    model: model('seedance-2.0'),
    inputModeration: 'submit',
    afterCancel: 'cancelled',
    cancelWhile: 'queued',
    unknownTaskId: 'cgt-20260101000000-nope0',
  },
  {
    provider: 'veo',
    create: createVeoAdapter,
    model: model('veo-3.1-fast'),
    inputModeration: 'task',
    afterCancel: 'runs on',
    cancelWhile: 'queued',
    unknownTaskId: 'task-unified-0-missing',
  },
];

let sim: ProviderSimulator;
let receiver: WebhookReceiver;

beforeAll(async () => {
  sim = await startProviderSimulator();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sim.stop();
  await receiver.stop();
});
afterEach(() => sim.resetFaults());

describe.each(CASES)('$provider adapter', (c) => {
  const adapter = (timeoutMs?: number) =>
    c.create({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url, ...(timeoutMs ? { timeoutMs } : {}) });
  const request = (overrides: Partial<GenerationRequest> = {}): GenerationRequest => {
    const base = requestFor(c.model, overrides);
    return c.model.webhooks && !('webhookUrl' in overrides)
      ? { ...base, webhookUrl: `${receiver.url}/webhooks/${c.provider}/${base.jobId}?sig=test` }
      : base;
  };
  const noKeyIn = (error: Error) => expect(error.message).not.toContain(SIMULATOR_API_KEY);

  it('submits once and follows the task through running to success with a downloadable MP4', async () => {
    const before = sim.submissions(c.provider);
    const submitted = await adapter().submit(request());
    expect(submitted.status).toBe('queued');
    expect(sim.submissions(c.provider)).toBe(before + 1);

    const { final, seen } = await follow(adapter(), submitted.taskId);
    expect(seen.map((s) => s.status)).toContain('running');
    // Progress, where the provider reports it, is a fraction that never goes back.
    const fractions = seen.flatMap((s) => (s.progress === undefined ? [] : [s.progress]));
    for (const f of fractions) expect(f >= 0 && f <= 1, `progress ${f}`).toBe(true);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(final).toMatchObject({ taskId: submitted.taskId, status: 'succeeded' });
    const video = await fetch(final.outputUrl ?? '');
    expect(video.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await video.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(sim.submissions(c.provider)).toBe(before + 1);
  });

  it('turns 429 into a retryable rate_limited error carrying Retry-After', async () => {
    sim.setFaults({ failNext: { count: 1, status: 429, retryAfterSeconds: 7 } }, c.provider);
    const before = sim.submissions(c.provider);
    const error = await providerError(adapter().submit(request()));
    expect(error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retryAfterMs: 7000,
      outcomeUnknown: false,
    });
    expect(error.httpStatus).toBe(429);
    expect(sim.submissions(c.provider)).toBe(before);
    noKeyIn(error);
  });

  it.each([500, 502, 503, 504])('turns HTTP %i into a retryable unavailable error', async (status) => {
    const submitted = await adapter().submit(request());
    sim.setFaults({ failNext: { count: 1, status } }, c.provider);
    const error = await providerError(adapter().getTask(submitted.taskId));
    expect(error).toMatchObject({ code: 'unavailable', retryable: true, httpStatus: status });
    // The next poll goes through: nothing about the task was lost.
    expect((await adapter().getTask(submitted.taskId)).taskId).toBe(submitted.taskId);
  });

  it('reports a refused prompt as moderation_input, never to be retried', async () => {
    sim.setFaults({ moderateInput: true }, c.provider);
    if (c.inputModeration === 'submit') {
      const error = await providerError(adapter().submit(request()));
      expect(error).toMatchObject({ code: 'moderation_input', retryable: false, outcomeUnknown: false });
      noKeyIn(error);
    } else {
      const submitted = await adapter().submit(request());
      const { final } = await follow(adapter(), submitted.taskId);
      expect(final.status).toBe('failed');
      expect(final.failure?.code).toBe('moderation_input');
    }
  });

  it('reports a video refused after rendering as moderation_output', async () => {
    sim.setFaults({ moderateOutput: true }, c.provider);
    const submitted = await adapter().submit(request());
    const { final, seen } = await follow(adapter(), submitted.taskId);
    expect(seen.map((s) => s.status)).toContain('running');
    expect(final.status).toBe('failed');
    expect(final.failure?.code).toBe('moderation_output');
    expect(final.outputUrl).toBeUndefined();
  });

  it('reports an empty provider account as provider_account, not retryable', async () => {
    sim.setFaults({ accountError: true }, c.provider);
    const error = await providerError(adapter().submit(request()));
    expect(error).toMatchObject({ code: 'provider_account', retryable: false });
  });

  it('reports a refused key as unauthorized without echoing the key', async () => {
    sim.setFaults({ unauthorized: true }, c.provider);
    const error = await providerError(adapter().submit(request()));
    expect(error).toMatchObject({ code: 'unauthorized', retryable: false, httpStatus: 401 });
    noKeyIn(error);
  });

  it('marks a create whose answer timed out as outcome unknown (the task exists)', async () => {
    sim.setFaults({ latencyMs: SLOW_ANSWER_MS }, c.provider);
    const before = sim.submissions(c.provider);
    const error = await providerError(adapter(SHORT_TIMEOUT_MS).submit(request()));
    expect(error).toMatchObject({ code: 'timeout', outcomeUnknown: true, retryable: false });
    expect(sim.submissions(c.provider)).toBe(before + 1);
    noKeyIn(error);
  });

  it('marks a create whose connection was reset after sending as outcome unknown', async () => {
    sim.setFaults({ dropNext: 1 }, c.provider);
    const before = sim.submissions(c.provider);
    const error = await providerError(adapter().submit(request()));
    expect(error).toMatchObject({ outcomeUnknown: true, retryable: false });
    expect(sim.submissions(c.provider)).toBe(before + 1);
  });

  it('treats a timed-out status read as retryable, since reading twice is harmless', async () => {
    const submitted = await adapter().submit(request());
    sim.setFaults({ latencyMs: SLOW_ANSWER_MS }, c.provider);
    const error = await providerError(adapter(SHORT_TIMEOUT_MS).getTask(submitted.taskId));
    expect(error).toMatchObject({ code: 'timeout', retryable: true, outcomeUnknown: false });
  });

  it(`cancels (${c.afterCancel} afterwards) and may cancel again`, async () => {
    sim.setFaults(c.cancelWhile === 'queued' ? { queueMs: LONG_QUEUE_MS } : { stuck: true }, c.provider);
    const submitted = await adapter().submit(request());
    if (c.cancelWhile === 'running') await follow(adapter(), submitted.taskId, ['running']);
    await adapter().cancel(submitted.taskId);
    await adapter().cancel(submitted.taskId);
    if (c.afterCancel === 'gone') {
      const error = await providerError(adapter().getTask(submitted.taskId));
      expect(error.code).toBe('not_found');
    } else if (c.afterCancel === 'cancelled') {
      expect((await adapter().getTask(submitted.taskId)).status).toBe('cancelled');
    } else {
      // No cancel at this provider: the task carries on and ends normally.
      expect(c.model.cancellable).toBe(false);
      sim.completeNow(submitted.taskId);
      expect((await adapter().getTask(submitted.taskId)).status).toBe('succeeded');
    }
  });

  it('leaves a finished task and its video alone when asked to cancel it', async () => {
    sim.setFaults({ instant: true }, c.provider);
    const submitted = await adapter().submit(request());
    const { final } = await follow(adapter(), submitted.taskId);
    await adapter().cancel(submitted.taskId);
    expect(await adapter().getTask(submitted.taskId)).toMatchObject({
      status: 'succeeded',
      outputUrl: final.outputUrl,
    });
  });

  it('says "not found" for a task the provider does not know', async () => {
    const error = await providerError(adapter().getTask(c.unknownTaskId));
    expect(error).toMatchObject({ code: 'not_found', retryable: false });
  });

  if (c.model.webhooks) {
    it('reads its webhook into the same task state polling gives', async () => {
      const req = request();
      const submitted = await adapter().submit(req);
      const delivery = await receiver.waitFor(req.jobId);
      const parsed = adapter().parseWebhook?.(delivery.body);
      expect(parsed).toMatchObject({ taskId: submitted.taskId, status: 'succeeded' });
      expect(parsed?.outputUrl).toBe((await adapter().getTask(submitted.taskId)).outputUrl);
      expect(adapter().parseWebhook?.({ hello: 'world' })).toBeNull();
    });

    it('still finishes by polling when the webhook is lost', async () => {
      sim.setFaults({ loseWebhooks: true }, c.provider);
      const req = request();
      const submitted = await adapter().submit(req);
      const { final } = await follow(adapter(), submitted.taskId);
      expect(final.status).toBe('succeeded');
      expect(sim.webhooks(c.provider).find((w) => submitted.taskId.endsWith(w.taskId))?.outcome).toBe('lost');
      expect(receiver.received.some((w) => w.path.includes(req.jobId))).toBe(false);
    });

    it('reads a failure webhook as a failed task', async () => {
      sim.setFaults({ moderateOutput: true }, c.provider);
      const req = request();
      await adapter().submit(req);
      const delivery = await receiver.waitFor(req.jobId);
      expect(adapter().parseWebhook?.(delivery.body)).toMatchObject({
        status: 'failed',
        failure: { code: 'moderation_output' },
      });
    });
  } else {
    it('offers no webhooks, as the catalog says', () => {
      expect(adapter().parseWebhook).toBeUndefined();
    });
  }

  it(
    c.model.reconcilable
      ? 'finds a task after a lost create answer'
      : 'offers no reconciliation, as the catalog says',
    () => {
      expect(typeof adapter().findTask === 'function').toBe(c.model.reconcilable);
    },
  );
});
