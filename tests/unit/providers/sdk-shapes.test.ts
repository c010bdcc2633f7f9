// Response shapes as the providers' official SDKs declare them (their types) and test them
// (their fixtures), replayed against our parse functions: statuses, progress, outputs and
// failures must read the same as the SDK would. Sources, by commit:
//   fal-ai/fal@c6f0afa projects/fal_client/tests/unit/test_client.py (test_parse_status)
//   fal-ai/fal-js@381105e libs/client/src/types/common.ts (QueueStatus, WebHookResponse),
//     libs/client/src/response.ts (ValidationError), src/types/endpoints.ts (I2VOutput)
//   runwayml/sdk-node@ecb7e33 src/resources/tasks.ts (TaskRetrieveResponse)
//   lumalabs/lumaai-node@be2c3c4 src/resources/generations/generations.ts (Generation)
//   volcengine/volcengine-python-sdk@b5be43b volcenginesdkarkruntime/types/content_generation/
//     content_generation_task.py (ContentGenerationTask)
//   docs.evolink.ai task detail (Evolink has no SDK)
import { describe, expect, it } from 'vitest';
import { readLumaGeneration } from '../../../providers/luma.ts';
import { readFalResult, readFalStatus } from '../../../providers/pika.ts';
import { createPikaAdapter } from '../../../providers/pika.ts';
import { readRunwayTask } from '../../../providers/runway.ts';
import { readArkTask } from '../../../providers/seedance.ts';
import { readEvolinkTask } from '../../../providers/veo.ts';
import type { ProviderTaskState } from '../../../providers/types.ts';

const TASK = 'fal-ai/pika:req-1';
const urls = {
  request_id: 'req-1',
  response_url: 'https://queue.fal.run/fal-ai/pika/requests/req-1',
  status_url: 'https://queue.fal.run/fal-ai/pika/requests/req-1/status',
  cancel_url: 'https://queue.fal.run/fal-ai/pika/requests/req-1/cancel',
};
const result = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  readFalResult(TASK, { status, body, headers: new Headers(headers) });

describe('fal queue shapes', () => {
  it.each<[string, unknown, Partial<ProviderTaskState> | null]>([
    [
      'IN_QUEUE (fal_client fixture)',
      { status: 'IN_QUEUE', queue_position: 123 },
      { status: 'queued', queuePosition: 123 },
    ],
    [
      'IN_QUEUE (fal-js InQueueQueueStatus)',
      { ...urls, status: 'IN_QUEUE', queue_position: 0 },
      { status: 'queued', queuePosition: 0 },
    ],
    [
      'IN_PROGRESS with logs',
      { status: 'IN_PROGRESS', logs: [{ msg: 'foo' }, { msg: 'bar' }] },
      { status: 'running' },
    ],
    ['COMPLETED with logs: the result decides', { status: 'COMPLETED', logs: [{ msg: 'foo' }] }, null],
    [
      'COMPLETED with metrics: the result decides',
      { ...urls, status: 'COMPLETED', logs: [], metrics: { inference_time: 1.5 } },
      null,
    ],
    [
      'COMPLETED with a runner error',
      {
        status: 'COMPLETED',
        logs: [],
        metrics: {},
        error: 'Runner disconnected',
        error_type: 'runner_disconnected',
      },
      { status: 'failed', failure: { code: 'unavailable', message: 'Runner disconnected' } },
    ],
    [
      'COMPLETED with a timeout',
      {
        status: 'COMPLETED',
        logs: null,
        metrics: { inference_time: 1.5 },
        error: 'Request timed out',
        error_type: 'request_timeout',
      },
      { status: 'failed', failure: { code: 'timeout', message: 'Request timed out' } },
    ],
    ['an unknown status (fal_client raises): the result decides', { status: 'FOO' }, null],
  ])('reads the status %s', (_what, body, expected) => {
    const state = readFalStatus(TASK, body);
    if (expected === null) expect(state).toBeNull();
    else expect(state).toMatchObject({ taskId: TASK, ...expected });
  });

  it('reads an I2VOutput result (the video File) as success', () => {
    const body = {
      video: {
        url: 'https://v3.fal.media/files/x/output.mp4',
        content_type: 'video/mp4',
        file_name: 'output.mp4',
        file_size: 1824075,
      },
    };
    expect(result(200, body)).toEqual({
      taskId: TASK,
      status: 'succeeded',
      progress: 1,
      outputUrl: body.video.url,
    });
  });

  it('reads both forms of a ValidationError body (a detail list or a detail string)', () => {
    expect(
      result(422, { detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'missing' }] }),
    ).toMatchObject({
      status: 'failed',
      failure: { code: 'invalid_request', message: 'field required' },
    });
    expect(result(422, { detail: 'Prompt must be non-empty' })).toMatchObject({
      status: 'failed',
      failure: { code: 'invalid_request', message: 'Prompt must be non-empty' },
    });
  });

  it('reads a request error (detail string, error_type in the body or the X-Fal-Error-Type header)', () => {
    expect(result(504, { detail: 'Request timed out', error_type: 'request_timeout' })).toMatchObject({
      failure: { code: 'timeout' },
    });
    expect(
      result(503, { detail: 'Runner disconnected' }, { 'X-Fal-Error-Type': 'runner_disconnected' }),
    ).toMatchObject({
      failure: { code: 'unavailable', message: 'Runner disconnected' },
    });
  });

  it('reads both WebHookResponse forms', () => {
    const adapter = createPikaAdapter({ apiKey: 'k', baseUrl: 'http://fal.test' });
    expect(
      adapter.parseWebhook?.({
        request_id: 'req-1',
        gateway_request_id: 'req-1',
        status: 'OK',
        payload: { video: { url: 'https://v/x.mp4' } },
      }),
    ).toMatchObject({ status: 'succeeded', outputUrl: 'https://v/x.mp4' });
    expect(
      adapter.parseWebhook?.({
        request_id: 'req-1',
        gateway_request_id: 'req-1',
        status: 'ERROR',
        error: 'Invalid status code: 422',
        payload: {
          detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'value_error.missing' }],
        },
      }),
    ).toMatchObject({ status: 'failed', failure: { code: 'invalid_request', message: 'field required' } });
    // fal sends `payload: null` and a `payload_error` when the result was not valid JSON.
    expect(
      adapter.parseWebhook?.({
        request_id: 'req-1',
        status: 'ERROR',
        error: 'Invalid status code: 500',
        payload: null,
        payload_error: 'not JSON',
      }),
    ).toMatchObject({ status: 'failed', failure: { message: 'Invalid status code: 500' } });
  });
});

describe('Runway TaskRetrieveResponse', () => {
  const base = { id: '17f20503-6c24-4c16-946b-35dbbce2af2f', createdAt: '2024-06-27T19:49:32.334Z' };
  it.each<[string, unknown, Partial<ProviderTaskState>]>([
    ['Pending', { ...base, status: 'PENDING' }, { status: 'queued' }],
    ['Throttled', { ...base, status: 'THROTTLED' }, { status: 'queued' }],
    ['Running', { ...base, status: 'RUNNING', progress: 0.4 }, { status: 'running', progress: 0.4 }],
    [
      'Succeeded',
      { ...base, status: 'SUCCEEDED', output: ['https://dnznrvs05pmza.cloudfront.net/x.mp4'] },
      { status: 'succeeded', outputUrl: 'https://dnznrvs05pmza.cloudfront.net/x.mp4' },
    ],
    [
      'Failed with a code',
      { ...base, status: 'FAILED', failure: 'Prompt flagged', failureCode: 'SAFETY.INPUT.TEXT' },
      { status: 'failed', failure: { code: 'moderation_input', message: 'Prompt flagged' } },
    ],
    [
      'Failed without a code (failureCode is optional)',
      { ...base, status: 'FAILED', failure: 'Something went wrong' },
      { status: 'failed', failure: { code: 'internal', message: 'Something went wrong' } },
    ],
    ['Cancelled', { ...base, status: 'CANCELLED' }, { status: 'cancelled' }],
  ])('reads %s', (_what, body, expected) => {
    expect(readRunwayTask(base.id, body)).toMatchObject({ taskId: base.id, ...expected });
  });
});

describe('Luma Generation', () => {
  const base = {
    id: 'd1968551-6113-4b46-b567-09210c2e79b0',
    generation_type: 'video',
    created_at: '2024-06-27T19:49:32Z',
    model: 'ray-2',
    request: { model: 'ray-2', prompt: 'a lake' },
  };
  it.each<[string, unknown, Partial<ProviderTaskState> | null]>([
    ['queued', { ...base, state: 'queued', assets: null, failure_reason: null }, { status: 'queued' }],
    [
      'dreaming with a progress video',
      { ...base, state: 'dreaming', assets: { progress_video: 'https://x/p.mp4' } },
      { status: 'running' },
    ],
    [
      'completed',
      {
        ...base,
        state: 'completed',
        assets: { video: 'https://storage.cdn-luma.com/x.mp4', image: 'https://x/i.jpg' },
      },
      { status: 'succeeded', outputUrl: 'https://storage.cdn-luma.com/x.mp4' },
    ],
    [
      'failed',
      { ...base, state: 'failed', failure_reason: 'Generation timed out' },
      { status: 'failed', failure: { code: 'timeout', message: 'Generation timed out' } },
    ],
    ['a generation without an id (every field is optional in the SDK)', { state: 'queued' }, null],
  ])('reads %s', (_what, body, expected) => {
    const state = readLumaGeneration(body);
    if (expected === null) expect(state).toBeNull();
    else expect(state).toMatchObject(expected);
  });
});

describe('Ark ContentGenerationTask', () => {
  const base = {
    id: 'cgt-20250507173314-t4pkt',
    model: 'doubao-seedance-2-0-260128',
    created_at: 1746610394,
    updated_at: 1746610430,
    seed: 11,
    resolution: '720p',
    ratio: '16:9',
    duration: 5,
    framespersecond: 24,
    generate_audio: true,
    service_tier: 'default',
    execution_expires_after: 172800,
  };
  it.each<[string, unknown, Partial<ProviderTaskState>]>([
    ['queued', { ...base, status: 'queued' }, { status: 'queued' }],
    ['running', { ...base, status: 'running' }, { status: 'running' }],
    [
      'succeeded with content and usage',
      {
        ...base,
        status: 'succeeded',
        content: {
          video_url: 'https://ark-content.tos/x.mp4',
          last_frame_url: 'https://ark-content.tos/x.png',
          file_url: '',
        },
        usage: { completion_tokens: 108900, total_tokens: 108900 },
      },
      { status: 'succeeded', outputUrl: 'https://ark-content.tos/x.mp4' },
    ],
    [
      'failed with an output moderation error',
      {
        ...base,
        status: 'failed',
        error: {
          code: 'OutputVideoSensitiveContentDetected',
          message: 'The request failed because the output video may contain sensitive information.',
        },
      },
      {
        status: 'failed',
        failure: {
          code: 'moderation_output',
          message: 'The request failed because the output video may contain sensitive information.',
        },
      },
    ],
    ['cancelled', { ...base, status: 'cancelled' }, { status: 'cancelled' }],
  ])('reads %s', (_what, body, expected) => {
    expect(readArkTask(body)).toMatchObject({ taskId: base.id, ...expected });
  });
});

describe('Evolink task detail', () => {
  const base = {
    created: 1757169743,
    id: 'task-unified-1757169743-7cvnl5zw',
    model: 'veo3.1-fast',
    object: 'video.generation.task',
    task_info: { can_cancel: true, estimated_time: 180, video_duration: 8 },
    type: 'video',
  };
  it.each<[string, unknown, Partial<ProviderTaskState>]>([
    [
      'pending (the create answer)',
      {
        ...base,
        progress: 0,
        status: 'pending',
        usage: { billing_rule: 'per_call', credits_reserved: 25.7, user_group: 'default' },
      },
      { status: 'queued', progress: 0, etaSeconds: 180 },
    ],
    [
      'processing at 45 %',
      { ...base, progress: 45, status: 'processing' },
      { status: 'running', progress: 0.45 },
    ],
    [
      'completed',
      { ...base, progress: 100, status: 'completed', results: ['https://files.evolink.ai/x.mp4'] },
      { status: 'succeeded', outputUrl: 'https://files.evolink.ai/x.mp4' },
    ],
    [
      'failed',
      {
        ...base,
        progress: 10,
        status: 'failed',
        error: { code: 'generation_timeout', message: 'Generation timed out' },
      },
      { status: 'failed', failure: { code: 'timeout', message: 'Generation timed out' } },
    ],
  ])('reads %s', (_what, body, expected) => {
    expect(readEvolinkTask(body)).toMatchObject({ taskId: base.id, ...expected });
  });
});
