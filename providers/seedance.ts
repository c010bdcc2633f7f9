// Seedance on Volcano Engine Ark (ark.cn-beijing.volces.com/api/v3), as the Ark runtime
// SDK (volcengine-python-sdk, volcenginesdkarkruntime/resources/content_generation/tasks.py)
// speaks it: resolution, ratio, duration, seed, watermark and generate_audio are top-level
// fields of the create request, and the prompt text stays the creator's own words (the
// older `--rs 720p --dur 5` switches inside the text are not used). Ark's task list filters by
// task id, model and status only and echoes no callback URL, so a lost create cannot be
// matched to our job: this adapter has no findTask (catalog: reconcilable false).
import { createHttpClient, field, parseRetryAfter, stringField, unexpected } from './http.ts';
import type { AdapterOptions, HttpResponse } from './http.ts';
import { ProviderError } from './types.ts';
import type {
  GenerationRequest,
  InputRole,
  ProviderAdapter,
  ProviderErrorCode,
  ProviderFailure,
  ProviderTaskState,
} from './types.ts';

const TASKS = '/api/v3/contents/generations/tasks';

const ARK_ROLES: Record<InputRole, string> = {
  first_frame: 'first_frame',
  last_frame: 'last_frame',
  reference: 'reference_image',
};

/** Ark error codes (its error-code table) in our words. */
const ARK_ERROR_CODES: Readonly<Record<string, ProviderErrorCode>> = {
  InputTextSensitiveContentDetected: 'moderation_input',
  InputImageSensitiveContentDetected: 'moderation_input',
  InputVideoSensitiveContentDetected: 'moderation_input',
  OutputVideoSensitiveContentDetected: 'moderation_output',
  OutputImageSensitiveContentDetected: 'moderation_output',
  OutputTextSensitiveContentDetected: 'moderation_output',
  AccountOverdueError: 'provider_account',
  RateLimitExceeded: 'rate_limited',
  QuotaExceeded: 'rate_limited',
  ServerOverloaded: 'unavailable',
  InternalServiceError: 'unavailable',
};
const RETRYABLE_CODES = new Set<ProviderErrorCode>(['rate_limited', 'unavailable']);

/**
 * The create-task body, field for field as the SDK's `tasks.create` sends it. Only what
 * the job needs is sent (D-NOTRAIN: nothing else of the creator's leaves us); no
 * watermark, since the platform delivers the creator's own video.
 */
export function arkCreateBody(request: GenerationRequest): Record<string, unknown> {
  return {
    model: request.providerModel,
    content: [
      { type: 'text', text: request.prompt },
      ...request.inputs.map((input) => ({
        type: 'image_url',
        image_url: { url: input.url },
        role: ARK_ROLES[input.role],
      })),
    ],
    resolution: request.resolution,
    ratio: request.aspectRatio,
    duration: request.durationSeconds,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    watermark: false,
    ...(request.generateAudio !== undefined ? { generate_audio: request.generateAudio } : {}),
    ...(request.webhookUrl ? { callback_url: request.webhookUrl } : {}),
  };
}

export function createSeedanceAdapter(options: AdapterOptions): ProviderAdapter {
  const http = createHttpClient({
    provider: 'Ark',
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    secrets: [options.apiKey],
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    classify: classifyArkError,
  });
  const task = (id: string) => `${TASKS}/${encodeURIComponent(id)}`;

  return {
    name: 'seedance',

    async submit(request: GenerationRequest): Promise<ProviderTaskState> {
      const response = await http.request('POST', TASKS, { body: arkCreateBody(request), idempotent: false });
      const id = stringField(response.body, 'id');
      if (!id) throw unexpected('Ark', 'no task id', true);
      return { taskId: id, status: 'queued' };
    },

    async getTask(taskId: string): Promise<ProviderTaskState> {
      const response = await http.request('GET', task(taskId));
      const state = readArkTask(response.body);
      if (!state) throw unexpected('Ark', 'not a task');
      return state;
    },

    async cancel(taskId: string): Promise<void> {
      // DELETE cancels a queued task but deletes a finished one (and its video), so it is
      // sent only while the task waits. A running task cannot be stopped at Ark: it ends
      // by itself and its status says how.
      const response = await http.request('GET', task(taskId), { accept: [404] });
      if (response.status === 404 || stringField(response.body, 'status') !== 'queued') return;
      await http.request('DELETE', task(taskId), { accept: [400, 404, 409] });
    },

    async deleteTask(taskId: string) {
      const response = await http.request('DELETE', task(taskId), { accept: [404] });
      return response.status === 404 ? 'not_found' : 'deleted';
    },

    parseWebhook(body: unknown): ProviderTaskState | null {
      // Ark posts the task object, the same one GET returns, on each status change.
      return readArkTask(body);
    },
  };
}

/** A task object (GET, a listing's item or a callback) in our words; null when it is none. */
export function readArkTask(body: unknown): ProviderTaskState | null {
  const taskId = stringField(body, 'id');
  const status = stringField(body, 'status');
  if (!taskId || !status) return null;
  switch (status) {
    case 'queued':
      return { taskId, status: 'queued' };
    case 'running':
      return { taskId, status: 'running' };
    case 'succeeded': {
      const url = stringField(field(body, 'content'), 'video_url');
      if (!url) throw unexpected('Ark', 'a succeeded task without content.video_url');
      return { taskId, status: 'succeeded', progress: 1, outputUrl: url };
    }
    case 'failed':
      return { taskId, status: 'failed', failure: arkFailure(field(body, 'error')) };
    case 'cancelled':
      return { taskId, status: 'cancelled' };
    default:
      return null;
  }
}

export function arkFailure(error: unknown): ProviderFailure {
  const code = stringField(error, 'code') ?? '';
  const message = stringField(error, 'message') ?? (code || 'Ark could not make this video');
  return {
    code: ARK_ERROR_CODES[code] ?? (/Sensitive/.test(code) ? 'moderation_input' : 'internal'),
    message,
  };
}

/** Ark's HTTP errors carry `{error: {code, message}}`; its code decides, not the status alone. */
function classifyArkError(response: HttpResponse, message: string): ProviderError | undefined {
  const code = stringField(field(response.body, 'error'), 'code');
  const ours = code ? ARK_ERROR_CODES[code] : undefined;
  if (!ours) return undefined;
  const retryable = RETRYABLE_CODES.has(ours);
  return new ProviderError(ours, message, {
    retryable,
    httpStatus: response.status,
    retryAfterMs: retryable ? parseRetryAfter(response.headers.get('retry-after')) : undefined,
  });
}
