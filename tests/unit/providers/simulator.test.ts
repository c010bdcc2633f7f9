// The simulator itself: what other tests (and the platform's integration tests) rely on.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLumaAdapter } from '../../../providers/luma.ts';
import { createPikaAdapter } from '../../../providers/pika.ts';
import { createRunwayAdapter } from '../../../providers/runway.ts';
import { createSeedanceAdapter } from '../../../providers/seedance.ts';
import { createVeoAdapter } from '../../../providers/veo.ts';
import type { AdapterOptions } from '../../../providers/http.ts';
import type { ProviderAdapter } from '../../../providers/types.ts';
import { PROMPT_MARKERS, SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator, SimProvider } from '../../support/simulator/index.ts';
import { follow, model, providerError, requestFor } from './helpers.ts';

const STUCK_CHECK_MS = 500;

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator();
});
afterAll(() => sim.stop());
afterEach(() => sim.resetFaults());
const runway = () => createRunwayAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url });

describe('provider simulator', () => {
  it('refuses calls without the provider’s authorization scheme', async () => {
    const res = await fetch(`${sim.url}/dream-machine/v1/generations/x`);
    expect(res.status).toBe(401);
    const fal = await fetch(`${sim.url}/fal-ai/pika/requests/x/status`, {
      headers: { Authorization: 'Bearer k' },
    });
    expect(fal.status).toBe(401);
  });

  it('serves a real MP4 for finished tasks only', async () => {
    sim.setFaults({ instant: true });
    const { taskId } = await runway().submit(requestFor(model('runway-gen4-turbo')));
    const url = (await runway().getTask(taskId)).outputUrl ?? '';
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-type')).toBe('video/mp4');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expect((await fetch(`${sim.url}/files/nobody.mp4`)).status).toBe(404);
  });

  it('counts submissions per provider and in total, not failed attempts', async () => {
    const runwayBefore = sim.submissions('runway');
    const totalBefore = sim.submissions();
    sim.setFaults({ failNext: { count: 1, status: 503 } });
    await expect(runway().submit(requestFor(model('runway-gen4-turbo')))).rejects.toThrow();
    await runway().submit(requestFor(model('runway-gen4-turbo')));
    expect(sim.submissions('runway')).toBe(runwayBefore + 1);
    expect(sim.submissions()).toBe(totalBefore + 1);
  });

  it('keeps a stuck task running, and completeNow ends it on demand', async () => {
    const { taskId } = await runway().submit(
      requestFor(model('runway-gen4-turbo'), { prompt: `x ${PROMPT_MARKERS.stuck}` }),
    );
    await new Promise((resolve) => setTimeout(resolve, STUCK_CHECK_MS));
    expect((await runway().getTask(taskId)).status).toBe('running');
    sim.completeNow(taskId, 'moderation_output');
    expect((await runway().getTask(taskId)).failure?.code).toBe('moderation_output');
  });

  it('applies a per-provider fault to that provider only', async () => {
    sim.setFaults({ moderateOutput: true }, 'luma');
    const { taskId } = await runway().submit(requestFor(model('runway-gen4-turbo')));
    expect((await follow(runway(), taskId)).final.status).toBe('succeeded');
    const luma = createLumaAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url });
    const { taskId: lumaTask } = await luma.submit(requestFor(model('luma-ray-2')));
    expect((await follow(luma, lumaTask)).final.failure?.code).toBe('moderation_output');
  });

  /** Each provider with a field its SDK types do not have, the way a typo would put it. */
  const MISSPELLED: [SimProvider, (o: AdapterOptions) => ProviderAdapter, string, string, string][] = [
    ['runway', createRunwayAdapter, 'runway-gen4-turbo', 'promptText', 'prompt_text'],
    ['luma', createLumaAdapter, 'luma-ray-2', 'aspect_ratio', 'aspectRatio'],
    ['pika', createPikaAdapter, 'pika-2.2', 'negative_prompt', 'negativePrompt'],
    ['seedance', createSeedanceAdapter, 'seedance-2.0', 'ratio', 'ratios'],
    ['veo', createVeoAdapter, 'veo-3.1-fast', 'generate_audio', 'generateAudio'],
  ];

  it.each(MISSPELLED)(
    'refuses a %s create whose body has a field the official SDK does not declare',
    async (provider, create, modelId, field, typo) => {
      const renaming: typeof fetch = async (url, init) => {
        const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
        body[typo] = body[field] ?? 'x';
        delete body[field];
        return fetch(url, { ...init, body: JSON.stringify(body) });
      };
      const adapter = create({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url, fetch: renaming });
      const before = sim.submissions(provider);
      const error = await providerError(
        adapter.submit(requestFor(model(modelId), { negativePrompt: 'blur', seed: 3 })),
      );
      expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
      expect(error.message).toContain(typo);
      expect(sim.submissions(provider)).toBe(before);
    },
  );
});
