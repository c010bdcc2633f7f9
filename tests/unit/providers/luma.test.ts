// What only Luma does: its request body, and finding a generation after a lost answer by
// the callback URL it echoes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LUMA_LIST_PAGE_SIZE, createLumaAdapter, lumaFailure } from '../../../providers/luma.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { model, providerError, requestFor } from './helpers.ts';

const SHORT_TIMEOUT_MS = 150;
const SLOW_ANSWER_MS = 600;

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator();
});
afterAll(() => sim.stop());
afterEach(() => sim.resetFaults());

const luma = (timeoutMs?: number) =>
  createLumaAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url, ...(timeoutMs ? { timeoutMs } : {}) });
const withHook = (overrides = {}) => {
  const req = requestFor(model('luma-ray-2'), overrides);
  return { ...req, webhookUrl: `https://api.clipwise.example/hooks/luma/${req.jobId}?sig=abc` };
};

describe('Luma adapter', () => {
  it('sends Luma field names: duration as "5s", keyframes from inputs, the callback URL', async () => {
    const req = withHook({
      resolution: '1080p',
      durationSeconds: 9,
      aspectRatio: '21:9',
      inputs: [
        { url: 'https://u/start.png', role: 'first_frame' },
        { url: 'https://u/end.png', role: 'last_frame' },
      ],
    });
    const { taskId } = await luma().submit(req);
    expect(sim.requests('luma').at(-1)?.path).toBe('/dream-machine/v1/generations/video');
    expect(sim.task(taskId)?.request).toMatchObject({
      generation_type: 'video',
      model: 'ray-2',
      prompt: req.prompt,
      resolution: '1080p',
      duration: '9s',
      aspect_ratio: '21:9',
      keyframes: {
        frame0: { type: 'image', url: 'https://u/start.png' },
        frame1: { type: 'image', url: 'https://u/end.png' },
      },
      callback_url: req.webhookUrl,
    });
  });

  it('finds the generation of a create whose answer was lost, by its callback URL', async () => {
    sim.setFaults({ latencyMs: SLOW_ANSWER_MS }, 'luma');
    const req = withHook();
    const before = sim.submissions('luma');
    const error = await providerError(luma(SHORT_TIMEOUT_MS).submit(req));
    expect(error.outcomeUnknown).toBe(true);
    sim.resetFaults();

    const found = await luma().findTask?.(req);
    const created = sim.tasks('luma').find((t) => t.webhookUrl === req.webhookUrl);
    expect(found?.taskId).toBe(created?.id);
    expect(sim.submissions('luma')).toBe(before + 1);
  });

  it('looks past the first page, and says null only for a job it never received', async () => {
    const req = withHook();
    sim.setFaults({ instant: true }, 'luma');
    const { taskId } = await luma().submit(req);
    for (let i = 0; i < LUMA_LIST_PAGE_SIZE + 5; i += 1) await luma().submit(withHook());
    expect((await luma().findTask?.(req))?.taskId).toBe(taskId);
    expect(await luma().findTask?.(withHook())).toBeNull();
  });

  it('cannot reconcile a job sent without a callback URL, and says so', async () => {
    const error = await providerError(
      luma().findTask?.(requestFor(model('luma-ray-2'))) ?? Promise.resolve(),
    );
    expect(error.code).toBe('invalid_request');
  });

  it('reads moderation out of the failure reason', () => {
    expect(lumaFailure('400: prompt not allowed because advanced moderation failed').code).toBe(
      'moderation_input',
    );
    expect(lumaFailure('The generated video was blocked by output moderation').code).toBe(
      'moderation_output',
    );
    expect(lumaFailure(undefined).code).toBe('internal');
  });
});
