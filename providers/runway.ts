// Runway's developer API (api.dev.runwayml.com), as its SDK (runwayml/sdk-node) speaks it:
// image_to_video / text_to_video create a task, /v1/tasks/{id} reads it, DELETE cancels a
// running task or deletes a finished one. Runway has no webhooks and no task listing, so
// a job is followed by polling and a lost create answer cannot be reconciled.
import { createHttpClient, field, numberField, stringField, unexpected } from './http.ts';
import type { AdapterOptions, HttpResponse } from './http.ts';
import { ProviderError } from './types.ts';
import type { GenerationRequest, ProviderAdapter, ProviderFailure, ProviderTaskState } from './types.ts';

export const RUNWAY_API_VERSION = '2024-11-06';
/** Statuses in which DELETE aborts the task rather than deleting a result. */
const UNFINISHED = new Set(['PENDING', 'THROTTLED', 'RUNNING']);

/** Output sizes Runway accepts, by our resolution and aspect ratio (`ratio` is `W:H` in pixels). */
const RUNWAY_RATIOS: Readonly<Record<string, string>> = {
  '720p 16:9': '1280:720',
  '720p 9:16': '720:1280',
  '720p 1:1': '960:960',
  '720p 4:3': '1104:832',
  '720p 3:4': '832:1104',
  '720p 21:9': '1584:672',
  '1080p 16:9': '1920:1080',
  '1080p 9:16': '1080:1920',
};

export function runwayRatio(resolution: string, aspectRatio: string): string {
  const ratio = RUNWAY_RATIOS[`${resolution} ${aspectRatio}`];
  if (!ratio) {
    throw new ProviderError('invalid_request', `Runway has no ${aspectRatio} output at ${resolution}`);
  }
  return ratio;
}

export function createRunwayAdapter(options: AdapterOptions): ProviderAdapter {
  const http = createHttpClient({
    provider: 'Runway',
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}`, 'X-Runway-Version': RUNWAY_API_VERSION },
    secrets: [options.apiKey],
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    classify: classifyRunwayError,
  });

  return {
    name: 'runway',

    async submit(request: GenerationRequest): Promise<ProviderTaskState> {
      const first = request.inputs.find((i) => i.role === 'first_frame');
      const last = request.inputs.find((i) => i.role === 'last_frame');
      const common = {
        model: request.providerModel,
        ratio: runwayRatio(request.resolution, request.aspectRatio),
        duration: request.durationSeconds,
        ...(request.prompt ? { promptText: request.prompt } : {}),
        ...(request.seed !== undefined ? { seed: request.seed } : {}),
      };
      const { path, body } = first
        ? {
            path: '/v1/image_to_video',
            body: {
              ...common,
              promptImage: last
                ? [
                    { uri: first.url, position: 'first' },
                    { uri: last.url, position: 'last' },
                  ]
                : first.url,
            },
          }
        : { path: '/v1/text_to_video', body: { ...common, promptText: request.prompt } };
      const response = await http.request('POST', path, { body, idempotent: false });
      const id = stringField(response.body, 'id');
      if (!id) throw unexpected('Runway', 'no task id', true);
      return { taskId: id, status: 'queued' };
    },

    async getTask(taskId: string): Promise<ProviderTaskState> {
      const response = await http.request('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
      return readRunwayTask(taskId, response.body);
    },

    async cancel(taskId: string): Promise<void> {
      // DELETE on a finished task deletes its output, so only unfinished work is sent one;
      // a task already gone or ended counts as cancelled and a repeat does nothing.
      const response = await http.request('GET', `/v1/tasks/${encodeURIComponent(taskId)}`, {
        accept: [404],
      });
      if (response.status === 404 || !UNFINISHED.has(stringField(response.body, 'status') ?? '')) return;
      await http.request('DELETE', `/v1/tasks/${encodeURIComponent(taskId)}`, { accept: [404] });
    },

    async deleteTask(taskId: string) {
      const response = await http.request('DELETE', `/v1/tasks/${encodeURIComponent(taskId)}`, {
        accept: [404],
      });
      return response.status === 404 ? 'not_found' : 'deleted';
    },
  };
}

/** A task as GET /v1/tasks/{id} returns it, in our words. */
export function readRunwayTask(taskId: string, body: unknown): ProviderTaskState {
  const status = stringField(body, 'status');
  switch (status) {
    case 'PENDING':
    case 'THROTTLED':
      return { taskId, status: 'queued' };
    case 'RUNNING':
      return { taskId, status: 'running', progress: numberField(body, 'progress') };
    case 'SUCCEEDED': {
      const output = field(body, 'output');
      const url = Array.isArray(output) && typeof output[0] === 'string' ? output[0] : undefined;
      if (!url) throw unexpected('Runway', 'a succeeded task without output');
      return { taskId, status: 'succeeded', progress: 1, outputUrl: url };
    }
    case 'FAILED':
      return {
        taskId,
        status: 'failed',
        failure: runwayFailure(stringField(body, 'failureCode'), stringField(body, 'failure')),
      };
    case 'CANCELLED':
      return { taskId, status: 'cancelled' };
    default:
      throw unexpected('Runway', `task status ${String(status)}`);
  }
}

/** Runway's failure codes (docs.dev.runwayml.com/errors/task-failures) in our words. */
export function runwayFailure(failureCode: string | undefined, failure: string | undefined): ProviderFailure {
  const code = failureCode ?? '';
  const message = failure ?? code ?? 'Runway could not make this video';
  if (code.startsWith('SAFETY.INPUT.') || code.startsWith('INPUT_PREPROCESSING.SAFETY.')) {
    return { code: 'moderation_input', message };
  }
  if (code.startsWith('SAFETY.OUTPUT.')) return { code: 'moderation_output', message };
  if (code.startsWith('ASSET.') || code.startsWith('INPUT_PREPROCESSING.')) {
    return { code: 'invalid_request', message };
  }
  if (code.startsWith('THROTTLED')) return { code: 'rate_limited', message };
  return { code: 'internal', message };
}

/** Runway answers a create it cannot pay for with 400 and a message about credits. */
function classifyRunwayError(response: HttpResponse, message: string): ProviderError | undefined {
  if (response.status === 400 && /credit/i.test(message)) {
    return new ProviderError('provider_account', message, { httpStatus: 400 });
  }
  return undefined;
}
