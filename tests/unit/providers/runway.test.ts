// What only Runway does: endpoint by input, pixel ratios, failure codes, DELETE semantics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunwayAdapter, runwayFailure, runwayRatio } from '../../../providers/runway.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { follow, model, providerError, requestFor } from './helpers.ts';

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator();
});
afterAll(() => sim.stop());
const runway = () => createRunwayAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url });

describe('Runway adapter', () => {
  it('animates a first frame through image_to_video with Runway field names', async () => {
    const req = requestFor(model('runway-gen4-turbo'), {
      aspectRatio: '9:16',
      durationSeconds: 10,
      seed: 42,
      inputs: [{ url: 'https://uploads.example/a.png', role: 'first_frame' }],
    });
    const { taskId } = await runway().submit(req);
    expect(sim.requests('runway').at(-1)).toMatchObject({ method: 'POST', path: '/v1/image_to_video' });
    expect(sim.task(taskId)?.request).toEqual({
      model: 'gen4_turbo',
      ratio: '720:1280',
      duration: 10,
      seed: 42,
      promptText: req.prompt,
      promptImage: 'https://uploads.example/a.png',
    });
  });

  it('uses text_to_video without images, and passes first and last frames by position', async () => {
    const gen45 = model('runway-gen4.5');
    await runway().submit(requestFor(gen45));
    expect(sim.requests('runway').at(-1)?.path).toBe('/v1/text_to_video');
    const { taskId } = await runway().submit(
      requestFor(gen45, {
        inputs: [
          { url: 'https://u/first.png', role: 'first_frame' },
          { url: 'https://u/last.png', role: 'last_frame' },
        ],
      }),
    );
    expect(sim.task(taskId)?.request.promptImage).toEqual([
      { uri: 'https://u/first.png', position: 'first' },
      { uri: 'https://u/last.png', position: 'last' },
    ]);
  });

  it('maps aspect ratio and resolution to Runway pixel ratios', () => {
    expect(runwayRatio('720p', '16:9')).toBe('1280:720');
    expect(runwayRatio('720p', '1:1')).toBe('960:960');
    expect(runwayRatio('720p', '21:9')).toBe('1584:672');
    expect(() => runwayRatio('4k', '16:9')).toThrow(/no 16:9 output at 4k/);
  });

  it('reads failure codes: SAFETY.INPUT before, SAFETY.OUTPUT after rendering', () => {
    expect(runwayFailure('SAFETY.INPUT.IMAGE', 'x').code).toBe('moderation_input');
    expect(runwayFailure('INPUT_PREPROCESSING.SAFETY.TEXT', 'x').code).toBe('moderation_input');
    expect(runwayFailure('SAFETY.OUTPUT.VIDEO', 'x').code).toBe('moderation_output');
    expect(runwayFailure('ASSET.INVALID', 'x').code).toBe('invalid_request');
    expect(runwayFailure('INTERNAL.BAD_OUTPUT.CODE01', undefined)).toEqual({
      code: 'internal',
      message: 'INTERNAL.BAD_OUTPUT.CODE01',
    });
  });

  it('deletes a finished task (D-RECIPIENTS) and then knows it is gone', async () => {
    sim.setFaults({ instant: true }, 'runway');
    const { taskId } = await runway().submit(requestFor(model('runway-gen4-turbo')));
    sim.resetFaults();
    expect((await follow(runway(), taskId)).final.status).toBe('succeeded');
    expect(await runway().deleteTask?.(taskId)).toBe('deleted');
    expect((await providerError(runway().getTask(taskId))).code).toBe('not_found');
    expect(await runway().deleteTask?.(taskId)).toBe('not_found');
  });

  it('is refused without the API version header the simulator checks like Runway', async () => {
    const response = await fetch(`${sim.url}/v1/tasks/anything`, { headers: { Authorization: 'Bearer k' } });
    expect(response.status).toBe(400);
  });
});
