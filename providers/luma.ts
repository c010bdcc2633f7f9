// Luma Dream Machine (api.lumalabs.ai/dream-machine/v1), as its SDK (lumalabs/lumaai-node)
// speaks it. Luma echoes the whole request, callback URL included, in every generation
// it lists; since our callback URL carries the job id, a create whose answer was lost
// can be found again by listing recent generations.
import { DAY } from '../domain/time.ts';
import { createHttpClient, field, numberField, stringField, unexpected } from './http.ts';
import type { AdapterOptions, HttpResponse } from './http.ts';
import { ProviderError } from './types.ts';
import type { GenerationRequest, ProviderAdapter, ProviderFailure, ProviderTaskState } from './types.ts';

const API = '/dream-machine/v1';
/** Page size when listing generations to reconcile a lost create. */
export const LUMA_LIST_PAGE_SIZE = 50;
/** At most this many pages are read before giving up (and saying so). */
export const LUMA_LIST_MAX_PAGES = 10;
/** A lost create is looked for among generations newer than this. */
export const LUMA_RECONCILE_WINDOW_MS = 1 * DAY;

const STATES = new Set(['queued', 'dreaming', 'completed', 'failed']);

export function createLumaAdapter(options: AdapterOptions): ProviderAdapter {
  const http = createHttpClient({
    provider: 'Luma',
    baseUrl: options.baseUrl,
    headers: { Authorization: `Bearer ${options.apiKey}` },
    secrets: [options.apiKey],
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    classify: classifyLumaError,
  });
  const generation = (id: string) => `${API}/generations/${encodeURIComponent(id)}`;

  return {
    name: 'luma',

    async submit(request: GenerationRequest): Promise<ProviderTaskState> {
      const response = await http.request('POST', `${API}/generations/video`, {
        body: lumaBody(request),
        idempotent: false,
      });
      const state = readLumaGeneration(response.body);
      if (!state) throw unexpected('Luma', 'no generation id', true);
      return state;
    },

    async getTask(taskId: string): Promise<ProviderTaskState> {
      const response = await http.request('GET', generation(taskId));
      const state = readLumaGeneration(response.body);
      if (!state) throw unexpected('Luma', 'not a generation');
      return state;
    },

    async cancel(taskId: string): Promise<void> {
      // Luma stops a generation by deleting it, which for a finished one would delete the
      // video we may still have to copy: only unfinished generations are deleted here.
      const response = await http.request('GET', generation(taskId), { accept: [404] });
      const state = stringField(response.body, 'state');
      if (response.status === 404 || (state !== 'queued' && state !== 'dreaming')) return;
      await http.request('DELETE', generation(taskId), { accept: [404] });
    },

    async deleteTask(taskId: string) {
      const response = await http.request('DELETE', generation(taskId), { accept: [404] });
      return response.status === 404 ? 'not_found' : 'deleted';
    },

    async findTask(request: GenerationRequest): Promise<ProviderTaskState | null> {
      if (!request.webhookUrl) {
        // Without our callback URL nothing in Luma's records points back to the job.
        throw new ProviderError('invalid_request', 'Luma: a job is found again only by its callback URL');
      }
      const oldest = Date.now() - LUMA_RECONCILE_WINDOW_MS;
      for (let page = 0; page < LUMA_LIST_MAX_PAGES; page += 1) {
        const response = await http.request('GET', `${API}/generations`, {
          query: { limit: LUMA_LIST_PAGE_SIZE, offset: page * LUMA_LIST_PAGE_SIZE },
        });
        const list = field(response.body, 'generations');
        if (!Array.isArray(list)) throw unexpected('Luma', 'a list without generations');
        for (const item of list) {
          const callback = stringField(field(item, 'request'), 'callback_url');
          if (callback && callback.includes(request.jobId)) return readLumaGeneration(item);
        }
        const last = list.at(-1);
        const lastCreated = Date.parse(stringField(last, 'created_at') ?? '');
        const more = field(response.body, 'has_more') === true || list.length === LUMA_LIST_PAGE_SIZE;
        if (!more || list.length === 0 || lastCreated < oldest) return null;
      }
      // Saying "not found" here could make the caller submit twice; let it try later.
      throw new ProviderError('unavailable', 'Luma: could not list far enough back to find the job', {
        retryable: true,
      });
    },

    parseWebhook(body: unknown): ProviderTaskState | null {
      return readLumaGeneration(body);
    },
  };
}

function lumaBody(request: GenerationRequest) {
  const first = request.inputs.find((i) => i.role === 'first_frame');
  const last = request.inputs.find((i) => i.role === 'last_frame');
  const keyframes = {
    ...(first ? { frame0: { type: 'image', url: first.url } } : {}),
    ...(last ? { frame1: { type: 'image', url: last.url } } : {}),
  };
  return {
    generation_type: 'video',
    model: request.providerModel,
    prompt: request.prompt,
    resolution: request.resolution,
    duration: `${request.durationSeconds}s`,
    aspect_ratio: request.aspectRatio,
    ...(first || last ? { keyframes } : {}),
    ...(request.webhookUrl ? { callback_url: request.webhookUrl } : {}),
  };
}

/** A generation object (from GET, a listing or a callback) in our words; null if it is none. */
export function readLumaGeneration(body: unknown): ProviderTaskState | null {
  const taskId = stringField(body, 'id');
  const state = stringField(body, 'state');
  if (!taskId || !state || !STATES.has(state)) return null;
  switch (state) {
    case 'queued':
      return { taskId, status: 'queued' };
    case 'dreaming':
      return { taskId, status: 'running', progress: numberField(body, 'progress') };
    case 'completed': {
      const video = stringField(field(body, 'assets'), 'video');
      if (!video) throw unexpected('Luma', 'a completed generation without a video');
      return { taskId, status: 'succeeded', progress: 1, outputUrl: video };
    }
    default:
      return { taskId, status: 'failed', failure: lumaFailure(stringField(body, 'failure_reason')) };
  }
}

/**
 * Luma gives only a free-text failure reason. Moderation is named in it; whether it hit
 * the prompt or the finished video is read from the wording (not a documented contract).
 */
export function lumaFailure(reason: string | undefined): ProviderFailure {
  const message = reason ?? 'Luma could not make this video';
  if (/moderat|not allowed|safety|policy/i.test(message)) {
    return {
      code: /output|result|generated/i.test(message) ? 'moderation_output' : 'moderation_input',
      message,
    };
  }
  if (/timed? ?out/i.test(message)) return { code: 'timeout', message };
  return { code: 'internal', message };
}

/** Luma refuses a moderated prompt at create time with 400 and says why in `detail`. */
function classifyLumaError(response: HttpResponse, message: string): ProviderError | undefined {
  if (response.status === 400 && /moderat|not allowed/i.test(message)) {
    return new ProviderError('moderation_input', message, { httpStatus: 400 });
  }
  if ((response.status === 400 || response.status === 402) && /credit|balance|billing/i.test(message)) {
    return new ProviderError('provider_account', message, { httpStatus: response.status });
  }
  return undefined;
}
