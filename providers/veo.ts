// Veo 3.1 through Evolink (api.evolink.ai), per docs.evolink.ai: POST /v1/videos/generations
// creates a task, GET /v1/tasks/{id} reads it, and the callback URL receives the task when
// it completes, fails or is cancelled. Evolink documents neither a cancel nor a delete
// endpoint nor a task listing: tasks run to their end and a lost create cannot be found.
import { createHttpClient, field, numberField, stringField, unexpected } from './http.ts';
import type { AdapterOptions, HttpResponse } from './http.ts';
import { ProviderError } from './types.ts';
import type { GenerationRequest, ProviderAdapter, ProviderFailure, ProviderTaskState } from './types.ts';

/** Evolink reports progress in percent. */
const PERCENT = 100;
/** Evolink's seeds start at 1; ours start at 0. */
const EVOLINK_MIN_SEED = 1;

/** Task error codes (docs.evolink.ai error-codes) in our words. */
const EVOLINK_FAILURES: Readonly<Record<string, ProviderFailure['code']>> = {
  content_policy_violation: 'moderation_input',
  invalid_parameters: 'invalid_request',
  image_processing_error: 'invalid_request',
  image_dimension_mismatch: 'invalid_request',
  generation_timeout: 'timeout',
  quota_exceeded: 'rate_limited',
  resource_exhausted: 'unavailable',
  service_unavailable: 'unavailable',
  service_error: 'unavailable',
  resource_not_found: 'not_found',
};

export function createVeoAdapter(options: AdapterOptions): ProviderAdapter {
  const http = createHttpClient({
    provider: 'Evolink',
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    secrets: [options.apiKey],
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    classify: classifyEvolinkError,
  });
  // Evolink refuses plain-http callbacks; an http base URL means a local simulator.
  const acceptsCallback = (url: string) =>
    url.startsWith('https://') || options.baseUrl.startsWith('http://');

  return {
    name: 'veo',

    async submit(request: GenerationRequest): Promise<ProviderTaskState> {
      const first = request.inputs.find((i) => i.role === 'first_frame');
      const last = request.inputs.find((i) => i.role === 'last_frame');
      const images = [first, last].filter((i) => i !== undefined).map((i) => i.url);
      const response = await http.request('POST', '/v1/videos/generations', {
        body: {
          model: request.providerModel,
          prompt: request.prompt,
          aspect_ratio: request.aspectRatio,
          duration: request.durationSeconds,
          quality: request.resolution,
          generation_type: images.length > 0 ? 'FIRST&LAST' : 'TEXT',
          generate_audio: request.generateAudio ?? true,
          ...(images.length > 0 ? { image_urls: images } : {}),
          ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
          ...(request.seed !== undefined ? { seed: Math.max(EVOLINK_MIN_SEED, request.seed) } : {}),
          ...(request.webhookUrl && acceptsCallback(request.webhookUrl)
            ? { callback_url: request.webhookUrl }
            : {}),
        },
        idempotent: false,
      });
      const state = readEvolinkTask(response.body);
      if (!state) throw unexpected('Evolink', 'no task id', true);
      return state;
    },

    async getTask(taskId: string): Promise<ProviderTaskState> {
      const response = await http.request('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
      const state = readEvolinkTask(response.body);
      if (!state) throw unexpected('Evolink', 'not a task');
      return state;
    },

    // No cancel endpoint: the catalog marks Veo not cancellable, and the workflow stops
    // waiting instead. Resolving keeps cancel idempotent for callers that call it anyway.
    async cancel(): Promise<void> {},

    async deleteTask() {
      return 'not_supported' as const;
    },

    parseWebhook(body: unknown): ProviderTaskState | null {
      return readEvolinkTask(body);
    },
  };
}

/** A task object (GET or a callback) in our words; null when it is none. */
export function readEvolinkTask(body: unknown): ProviderTaskState | null {
  const taskId = stringField(body, 'id');
  const status = stringField(body, 'status');
  if (!taskId || !status) return null;
  const percent = numberField(body, 'progress');
  const progress = percent === undefined ? undefined : Math.min(1, Math.max(0, percent / PERCENT));
  const etaSeconds = numberField(field(body, 'task_info'), 'estimated_time');
  switch (status) {
    case 'pending':
      return { taskId, status: 'queued', progress, etaSeconds };
    case 'processing':
      return { taskId, status: 'running', progress, etaSeconds };
    case 'completed': {
      const results = field(body, 'results');
      const url = Array.isArray(results) && typeof results[0] === 'string' ? results[0] : undefined;
      if (!url) throw unexpected('Evolink', 'a completed task without results');
      return { taskId, status: 'succeeded', progress: 1, outputUrl: url };
    }
    case 'failed':
      // A cancellation made elsewhere (Evolink's console) arrives as a failure with this code.
      if (stringField(field(body, 'error'), 'code') === 'request_cancelled')
        return { taskId, status: 'cancelled' };
      return { taskId, status: 'failed', progress, failure: evolinkFailure(field(body, 'error')) };
    case 'cancelled':
      return { taskId, status: 'cancelled' };
    default:
      return null;
  }
}

/**
 * Evolink has one `content_policy_violation` code for prompts, images and results alike;
 * its message says which, so a refusal of the generated video is read from the wording.
 */
export function evolinkFailure(error: unknown): ProviderFailure {
  const code = stringField(error, 'code') ?? '';
  const message = stringField(error, 'message') ?? (code || 'Evolink could not make this video');
  if (code === 'content_policy_violation' && /generated (video|content)|output/i.test(message)) {
    return { code: 'moderation_output', message };
  }
  return { code: EVOLINK_FAILURES[code] ?? 'internal', message };
}

/** 402 is an empty balance at Evolink; a policy refusal at create is input moderation. */
function classifyEvolinkError(response: HttpResponse, message: string): ProviderError | undefined {
  const code = stringField(field(response.body, 'error'), 'code');
  if (response.status === 402 || code === 'insufficient_quota' || code === 'insufficient_balance') {
    return new ProviderError('provider_account', message, { httpStatus: response.status });
  }
  if (code === 'content_policy_violation') {
    return new ProviderError('moderation_input', message, { httpStatus: response.status });
  }
  return undefined;
}
