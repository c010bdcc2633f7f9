// What only Ark (Seedance) does: video settings as top-level fields beside a clean prompt,
// image roles, error codes that decide more than the HTTP status, and cancel only while
// queued.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { arkFailure, createSeedanceAdapter } from '../../../providers/seedance.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { follow, model, providerError, requestFor } from './helpers.ts';

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator();
});
afterAll(() => sim.stop());
afterEach(() => sim.resetFaults());
const ark = (fetchImpl?: typeof fetch) =>
  createSeedanceAdapter({
    apiKey: SIMULATOR_API_KEY,
    baseUrl: sim.url,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });

describe('Seedance adapter (Ark)', () => {
  it('[D-NOTRAIN] sends the settings as top-level fields, the prompt text untouched, and nothing else', async () => {
    const req = {
      ...requestFor(model('seedance-2.0'), {
        prompt: 'rain on a tin roof -- rs 1080p --dur 10',
        resolution: '720p',
        aspectRatio: '9:16',
        durationSeconds: 10,
        seed: 7,
        generateAudio: false,
        inputs: [
          { url: 'https://u/a.png', role: 'first_frame' as const },
          { url: 'https://u/b.png', role: 'last_frame' as const },
        ],
      }),
      webhookUrl: 'https://h/ark?sig=1',
    };
    const { taskId } = await ark().submit(req);
    expect(taskId).toMatch(/^cgt-\d{14}-/);
    expect(sim.task(taskId)?.request).toEqual({
      model: 'doubao-seedance-2-0-260128',
      content: [
        { type: 'text', text: 'rain on a tin roof -- rs 1080p --dur 10' },
        { type: 'image_url', image_url: { url: 'https://u/a.png' }, role: 'first_frame' },
        { type: 'image_url', image_url: { url: 'https://u/b.png' }, role: 'last_frame' },
      ],
      resolution: '720p',
      ratio: '9:16',
      duration: 10,
      seed: 7,
      watermark: false,
      generate_audio: false,
      callback_url: 'https://h/ark?sig=1',
    });
    // Ark echoes the settings on the task, as the SDK's ContentGenerationTask has them.
    const { body } = await fetch(`${sim.url}/api/v3/contents/generations/tasks/${taskId}`, {
      headers: { Authorization: `Bearer ${SIMULATOR_API_KEY}` },
    }).then(async (r) => ({ body: (await r.json()) as Record<string, unknown> }));
    expect(body).toMatchObject({
      resolution: '720p',
      ratio: '9:16',
      duration: 10,
      seed: 7,
      generate_audio: false,
    });

    const refs = requestFor(model('seedance-2.0'), {
      inputs: [{ url: 'https://u/r.png', role: 'reference' }],
    });
    const { taskId: second } = await ark().submit(refs);
    expect((sim.task(second)?.request.content as unknown[])[1]).toMatchObject({ role: 'reference_image' });
  });

  it('leaves the seed and the soundtrack to Ark when none was chosen', async () => {
    const { taskId } = await ark().submit(requestFor(model('seedance-2.0'), { prompt: 'rain' }));
    const sent = sim.task(taskId)?.request ?? {};
    expect(sent).not.toHaveProperty('seed');
    expect(sent).not.toHaveProperty('generate_audio');
    expect(sent.content).toEqual([{ type: 'text', text: 'rain' }]);
  });

  it('reports input moderation found during the task as moderation_input', async () => {
    sim.setFaults({ moderateInput: 'task' }, 'seedance');
    const { taskId } = await ark().submit(requestFor(model('seedance-2.0')));
    expect((await follow(ark(), taskId)).final.failure?.code).toBe('moderation_input');
  });

  it('cannot stop a running task: cancel returns and the task ends normally', async () => {
    sim.setFaults({ renderMs: 400 }, 'seedance');
    const { taskId } = await ark().submit(requestFor(model('seedance-2.0')));
    await follow(ark(), taskId, ['running']);
    await ark().cancel(taskId);
    expect((await follow(ark(), taskId)).final.status).toBe('succeeded');
  });

  it('reads a 429 ServerOverloaded as unavailable and an overdue account as provider_account', async () => {
    const answer =
      (status: number, code: string): typeof fetch =>
      async () =>
        new Response(JSON.stringify({ error: { code, message: code } }), {
          status,
          headers: { 'Retry-After': '2' },
        });
    const overloaded = await providerError(ark(answer(429, 'ServerOverloaded')).getTask('cgt-1'));
    expect(overloaded).toMatchObject({ code: 'unavailable', retryable: true, retryAfterMs: 2000 });
    const limited = await providerError(
      ark(answer(429, 'QuotaExceeded')).submit(requestFor(model('seedance-2.0'))),
    );
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true });
    const overdue = await providerError(
      ark(answer(403, 'AccountOverdueError')).submit(requestFor(model('seedance-2.0'))),
    );
    expect(overdue).toMatchObject({ code: 'provider_account', retryable: false });
  });

  it('maps task error codes', () => {
    expect(arkFailure({ code: 'OutputVideoSensitiveContentDetected', message: 'm' }).code).toBe(
      'moderation_output',
    );
    expect(arkFailure({ code: 'InputImageSensitiveContentDetected', message: 'm' }).code).toBe(
      'moderation_input',
    );
    expect(arkFailure(undefined).code).toBe('internal');
  });

  it('deletes a finished task', async () => {
    sim.setFaults({ instant: true }, 'seedance');
    const { taskId } = await ark().submit(requestFor(model('seedance-2.0')));
    expect(await ark().deleteTask?.(taskId)).toBe('deleted');
    expect(await ark().deleteTask?.(taskId)).toBe('not_found');
  });
});
