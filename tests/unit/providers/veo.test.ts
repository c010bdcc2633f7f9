// What only Evolink (Veo) does: its body, percent progress with an estimate, one policy
// code read by its wording, HTTPS-only callbacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVeoAdapter, evolinkFailure } from '../../../providers/veo.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { follow, model, requestFor } from './helpers.ts';

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator();
});
afterAll(() => sim.stop());
const veo = (fetchImpl?: typeof fetch, baseUrl = sim.url) =>
  createVeoAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });

describe('Veo adapter (Evolink)', () => {
  it('sends Evolink field names, first and last frames in order', async () => {
    const req = {
      ...requestFor(model('veo-3.1-fast'), {
        durationSeconds: 8,
        resolution: '1080p',
        aspectRatio: '9:16',
        seed: 0,
        negativePrompt: 'text',
        inputs: [
          { url: 'https://u/last.png', role: 'last_frame' as const },
          { url: 'https://u/first.png', role: 'first_frame' as const },
        ],
      }),
      webhookUrl: 'http://127.0.0.1:1/hook',
    };
    const { taskId } = await veo().submit(req);
    expect(taskId).toMatch(/^task-unified-\d+-/);
    expect(sim.task(taskId)?.request).toEqual({
      model: 'veo3.1-fast',
      prompt: req.prompt,
      aspect_ratio: '9:16',
      duration: 8,
      quality: '1080p',
      generation_type: 'FIRST&LAST',
      generate_audio: true,
      image_urls: ['https://u/first.png', 'https://u/last.png'],
      negative_prompt: 'text',
      seed: 1,
      callback_url: 'http://127.0.0.1:1/hook',
    });
  });

  it('drops a plain-http callback that real Evolink would refuse', async () => {
    let body: Record<string, unknown> = {};
    const capture: typeof fetch = async (_url, init) => {
      body = JSON.parse(String(init?.body)) as Record<string, unknown>;
      return new Response(JSON.stringify({ id: 'task-unified-1-a', status: 'pending', progress: 0 }), {
        status: 200,
      });
    };
    const adapter = veo(capture, 'https://api.evolink.ai');
    await adapter.submit({ ...requestFor(model('veo-3.1-fast')), webhookUrl: 'http://localhost:3000/hook' });
    expect(body).not.toHaveProperty('callback_url');
    await adapter.submit({
      ...requestFor(model('veo-3.1-fast')),
      webhookUrl: 'https://api.clipwise.example/hook',
    });
    expect(body.callback_url).toBe('https://api.clipwise.example/hook');
  });

  it('reports progress as a fraction with the estimate, and the first result URL', async () => {
    sim.setFaults({ renderMs: 400 }, 'veo');
    const { taskId } = await veo().submit(requestFor(model('veo-3.1-fast')));
    const { seen, final } = await follow(veo(), taskId);
    sim.resetFaults();
    const running = seen.filter((s) => s.status === 'running');
    expect(running.length).toBeGreaterThan(0);
    for (const s of running) {
      expect(s.progress).toBeGreaterThanOrEqual(0);
      expect(s.progress).toBeLessThanOrEqual(1);
      expect(s.etaSeconds).toBeGreaterThan(0);
    }
    expect(final.outputUrl).toMatch(/\/files\/.+\.mp4$/);
  });

  it('reads task error codes, telling a refused result from a refused prompt by its wording', () => {
    const policy = (message: string) => evolinkFailure({ code: 'content_policy_violation', message });
    expect(policy('Your request was blocked by safety filters').code).toBe('moderation_input');
    expect(policy('The generated video was blocked by safety filters').code).toBe('moderation_output');
    expect(evolinkFailure({ code: 'generation_timeout', message: 'x' }).code).toBe('timeout');
    expect(evolinkFailure({ code: 'quota_exceeded', message: 'x' }).code).toBe('rate_limited');
    expect(evolinkFailure({ code: 'brand_new_code', message: 'x' }).code).toBe('internal');
  });

  it('reads a task cancelled elsewhere as cancelled', async () => {
    const cancelled: typeof fetch = async () =>
      new Response(
        JSON.stringify({
          id: 'task-unified-1-b',
          status: 'failed',
          error: { code: 'request_cancelled', message: 'x' },
        }),
        { status: 200 },
      );
    expect((await veo(cancelled).getTask('task-unified-1-b')).status).toBe('cancelled');
  });

  it('has no delete endpoint', async () => {
    expect(await veo().deleteTask?.('task-unified-1-c')).toBe('not_supported');
  });
});
