// What only fal (Pika) does: the mode in the model path, the task id carrying the app id,
// queue positions, and errors located on fields.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PIKA_FAL_APP,
  createPikaAdapter,
  falFailure,
  falTaskId,
  parseFalTaskId,
} from '../../../providers/pika.ts';
import { ProviderError } from '../../../providers/types.ts';
import { SIMULATOR_API_KEY, startProviderSimulator } from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { model, providerError, requestFor } from './helpers.ts';

const LONG_QUEUE_MS = 60_000;

let sim: ProviderSimulator;
beforeAll(async () => {
  sim = await startProviderSimulator();
});
afterAll(() => sim.stop());
afterEach(() => sim.resetFaults());
const pika = () => createPikaAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url });
const simId = (taskId: string) => parseFalTaskId(taskId).requestId;

describe('Pika adapter (fal queue)', () => {
  it('posts text-to-video with an aspect ratio and the webhook as fal_webhook', async () => {
    const req = {
      ...requestFor(model('pika-2.2'), { negativePrompt: 'blur', seed: 9, resolution: '1080p' }),
      webhookUrl: 'https://h/x?sig=1',
    };
    const { taskId } = await pika().submit(req);
    expect(taskId).toMatch(/^fal-ai\/pika:[0-9a-f-]{36}$/);
    const task = sim.task(simId(taskId));
    expect(sim.requests('pika').at(-1)?.path).toBe('/fal-ai/pika/v2.2/text-to-video');
    expect(task?.webhookUrl).toBe('https://h/x?sig=1');
    expect(task?.request).toEqual({
      prompt: req.prompt,
      negative_prompt: 'blur',
      seed: 9,
      aspect_ratio: '16:9',
      resolution: '1080p',
      duration: 5,
    });
  });

  it('posts image-to-video with the image and without an aspect ratio', async () => {
    const { taskId } = await pika().submit(
      requestFor(model('pika-2.2'), { inputs: [{ url: 'https://u/cat.png', role: 'first_frame' }] }),
    );
    expect(sim.requests('pika').at(-1)?.path).toBe('/fal-ai/pika/v2.2/image-to-video');
    expect(sim.task(simId(taskId))?.request).toMatchObject({ image_url: 'https://u/cat.png' });
    expect(sim.task(simId(taskId))?.request).not.toHaveProperty('aspect_ratio');
  });

  it('reads status under the app id and reports the queue position', async () => {
    // Earlier tests' tasks leave the queue within milliseconds; start from an empty one.
    await vi.waitFor(() => expect(sim.tasks('pika').filter((t) => t.status === 'queued')).toEqual([]));
    sim.setFaults({ queueMs: LONG_QUEUE_MS }, 'pika');
    const first = await pika().submit(requestFor(model('pika-2.2')));
    const second = await pika().submit(requestFor(model('pika-2.2')));
    expect(first.queuePosition).toBe(0);
    const state = await pika().getTask(second.taskId);
    expect(state).toMatchObject({ status: 'queued', queuePosition: 1 });
    expect(sim.requests('pika').at(-1)?.path).toBe(`/fal-ai/pika/requests/${simId(second.taskId)}/status`);
  });

  it('turns a policy refusal at submit into moderation_input', async () => {
    sim.setFaults({ moderateInput: 'submit' }, 'pika');
    const error = await providerError(pika().submit(requestFor(model('pika-2.2'))));
    expect(error).toMatchObject({ code: 'moderation_input', retryable: false, httpStatus: 422 });
  });

  it('keeps task ids self-contained and refuses foreign ones', () => {
    expect(parseFalTaskId(falTaskId(PIKA_FAL_APP, 'abc'))).toEqual({
      appId: 'fal-ai/pika',
      requestId: 'abc',
    });
    expect(() => parseFalTaskId('abc')).toThrow(ProviderError);
  });

  it('tells input from output refusals by the field an error is located on', () => {
    const policy = (loc: string[]) => ({
      detail: [{ loc, msg: 'flagged', type: 'content_policy_violation' }],
    });
    expect(falFailure(422, policy(['body', 'image_url'])).code).toBe('moderation_input');
    expect(falFailure(422, policy(['body'])).code).toBe('moderation_output');
    expect(
      falFailure(422, { detail: [{ loc: ['body', 'duration'], msg: 'bad', type: 'value_error' }] }).code,
    ).toBe('invalid_request');
    expect(falFailure(500, { detail: 'boom' })).toEqual({ code: 'internal', message: 'boom' });
  });

  it('has no delete through the queue API', async () => {
    expect(await pika().deleteTask?.('fal-ai/pika:x')).toBe('not_supported');
  });

  describe('failures fal reports without a 400, 422 or 500', () => {
    const TASK = 'fal-ai/pika:req-1';
    /** A fal stand-in that answers the status and result reads as given, counting result reads. */
    function falAnswering(
      status: unknown,
      result?: { status: number; body?: unknown; headers?: Record<string, string> },
    ) {
      const calls = { result: 0 };
      const fetchImpl: typeof fetch = async (url) => {
        const path = new URL(String(url)).pathname;
        if (path.endsWith('/status')) return Response.json(status);
        calls.result += 1;
        if (!result) throw new Error('the result should not be read');
        return new Response(result.body === undefined ? null : JSON.stringify(result.body), {
          status: result.status,
          headers: { 'Content-Type': 'application/json', ...result.headers },
        });
      };
      return {
        adapter: createPikaAdapter({ apiKey: 'k', baseUrl: 'http://fal.test', fetch: fetchImpl }),
        calls,
      };
    }

    it.each([
      ['Runner disconnected', 'runner_disconnected', 'unavailable'],
      ['Request timed out', 'request_timeout', 'timeout'],
    ])(
      'ends the task at a COMPLETED status carrying an error (%s) without reading the result',
      async (error, errorType, code) => {
        const { adapter, calls } = falAnswering({
          status: 'COMPLETED',
          logs: [],
          metrics: {},
          error,
          error_type: errorType,
        });
        expect(await adapter.getTask(TASK)).toEqual({
          taskId: TASK,
          status: 'failed',
          failure: { code, message: error },
        });
        expect(calls.result).toBe(0);
      },
    );

    it.each([
      [504, { detail: 'Request timed out', error_type: 'request_timeout' }, {}, 'timeout'],
      [503, { detail: 'Runner disconnected' }, { 'x-fal-error-type': 'runner_disconnected' }, 'unavailable'],
      [404, { detail: 'Request not found' }, {}, 'internal'],
      [200, { detail: 'The model returned no output' }, {}, 'internal'],
      [200, { images: [] }, {}, 'internal'],
    ])(
      'ends the task when the result of a COMPLETED request answers %i without a video',
      async (status, body, headers, code) => {
        const { adapter } = falAnswering({ status: 'COMPLETED', logs: [] }, { status, body, headers });
        const state = await adapter.getTask(TASK);
        expect(state).toMatchObject({ status: 'failed', failure: { code } });
        expect(state.failure?.message.length).toBeGreaterThan(0);
      },
    );

    it('asks again after a bare gateway error, which says nothing about the request', async () => {
      const { adapter } = falAnswering({ status: 'COMPLETED', logs: [] }, { status: 502 });
      const error = await providerError(adapter.getTask(TASK));
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
    });

    it('lets the result decide a status fal has not documented', async () => {
      const refused = falAnswering(
        { status: 'FAILED' },
        {
          status: 422,
          body: { detail: [{ loc: ['body'], msg: 'flagged', type: 'content_policy_violation' }] },
        },
      );
      expect(await refused.adapter.getTask(TASK)).toMatchObject({
        status: 'failed',
        failure: { code: 'moderation_output', message: 'flagged' },
      });
      const busy = falAnswering(
        { status: 'IN_PROGRESS_RETRYING' },
        { status: 400, body: { detail: 'Request is still in progress' } },
      );
      expect(await busy.adapter.getTask(TASK)).toEqual({ taskId: TASK, status: 'running' });
      const done = falAnswering(
        { status: 'DONE' },
        { status: 200, body: { video: { url: 'https://v/x.mp4' } } },
      );
      expect(await done.adapter.getTask(TASK)).toMatchObject({
        status: 'succeeded',
        outputUrl: 'https://v/x.mp4',
      });
    });

    it('reads a webhook whose error payload is a request error', () => {
      const state = pika().parseWebhook?.({
        request_id: 'req-2',
        gateway_request_id: 'req-2',
        status: 'ERROR',
        error: 'Invalid status code: 504',
        payload: { detail: 'Request timed out', error_type: 'request_timeout' },
      });
      expect(state).toMatchObject({
        status: 'failed',
        failure: { code: 'timeout', message: 'Request timed out' },
      });
    });
  });
});
