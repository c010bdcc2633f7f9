// Pika has no first-party API; it is sold through fal's queue (queue.fal.run). A request is
// posted to the model's path (`fal-ai/pika/v2.2/text-to-video`), but status, result and
// cancel live under the app id alone (`fal-ai/pika/requests/{id}`), so the task id we
// hand out is `<app id>:<request id>` and needs nothing else to be followed.
import { createHttpClient, field, numberField, stringField, unexpected } from './http.ts';
import type { AdapterOptions, HttpResponse } from './http.ts';
import { ProviderError } from './types.ts';
import type { GenerationRequest, ProviderAdapter, ProviderFailure, ProviderTaskState } from './types.ts';

/** Every Pika model on fal lives under this app; webhooks carry only the request id. */
export const PIKA_FAL_APP = 'fal-ai/pika';
const TASK_ID_SEPARATOR = ':';
/** Result statuses fal uses for a gateway hiccup rather than a failed request. */
const TRANSIENT_RESULT_STATUSES = new Set([502, 503, 504]);
/** Input fields whose rejection means the prompt or image was refused, not the video. */
const INPUT_FIELDS = new Set(['prompt', 'negative_prompt', 'image_url']);

export function falTaskId(appId: string, requestId: string): string {
  return `${appId}${TASK_ID_SEPARATOR}${requestId}`;
}

export function parseFalTaskId(taskId: string): { appId: string; requestId: string } {
  const at = taskId.lastIndexOf(TASK_ID_SEPARATOR);
  if (at <= 0 || at === taskId.length - 1) {
    throw new ProviderError('invalid_request', `fal: "${taskId}" is not a task id of this adapter`);
  }
  return { appId: taskId.slice(0, at), requestId: taskId.slice(at + 1) };
}

/** `fal-ai/pika/v2.2` -> `fal-ai/pika`: fal's app id is the owner and the app name. */
function appIdOf(modelPath: string): string {
  return modelPath.split('/').slice(0, 2).join('/');
}

export function createPikaAdapter(options: AdapterOptions): ProviderAdapter {
  const http = createHttpClient({
    provider: 'fal',
    baseUrl: options.baseUrl,
    headers: { Authorization: `Key ${options.apiKey}` },
    secrets: [options.apiKey],
    fetch: options.fetch,
    timeoutMs: options.timeoutMs,
    classify: classifyFalError,
  });
  const requestPath = (taskId: string) => {
    const { appId, requestId } = parseFalTaskId(taskId);
    return `/${appId}/requests/${encodeURIComponent(requestId)}`;
  };

  async function result(taskId: string): Promise<ProviderTaskState> {
    const response = await http.request('GET', requestPath(taskId), {
      accept: [400, 422, 500],
    });
    if (response.status >= 400) {
      return {
        taskId,
        status: statusOfError(response.body),
        failure: falFailure(response.status, response.body),
      };
    }
    const url = stringField(field(response.body, 'video'), 'url');
    if (!url) throw unexpected('fal', 'a result without video.url');
    return { taskId, status: 'succeeded', progress: 1, outputUrl: url };
  }

  return {
    name: 'pika',

    async submit(request: GenerationRequest): Promise<ProviderTaskState> {
      const image = request.inputs.find((i) => i.role === 'first_frame');
      const mode = image ? 'image-to-video' : 'text-to-video';
      const response = await http.request('POST', `/${request.providerModel}/${mode}`, {
        body: {
          prompt: request.prompt,
          ...(request.negativePrompt ? { negative_prompt: request.negativePrompt } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          // Image-to-video follows the image's shape; fal takes no aspect ratio there.
          ...(image ? { image_url: image.url } : { aspect_ratio: request.aspectRatio }),
          resolution: request.resolution,
          duration: request.durationSeconds,
        },
        query: { fal_webhook: request.webhookUrl },
        idempotent: false,
      });
      const requestId = stringField(response.body, 'request_id');
      if (!requestId) throw unexpected('fal', 'no request_id', true);
      return {
        taskId: falTaskId(appIdOf(request.providerModel), requestId),
        status: 'queued',
        queuePosition: numberField(response.body, 'queue_position'),
      };
    },

    async getTask(taskId: string): Promise<ProviderTaskState> {
      const response = await http.request('GET', `${requestPath(taskId)}/status`);
      const status = stringField(response.body, 'status');
      switch (status) {
        case 'IN_QUEUE':
          return { taskId, status: 'queued', queuePosition: numberField(response.body, 'queue_position') };
        case 'IN_PROGRESS':
          return { taskId, status: 'running' };
        case 'COMPLETED':
          return result(taskId);
        case 'CANCELLED':
        case 'CANCELED':
          return { taskId, status: 'cancelled' };
        default:
          throw unexpected('fal', `request status ${String(status)}`);
      }
    },

    async cancel(taskId: string): Promise<void> {
      // fal cancels only queued requests; one already running or done answers 400, and
      // the task's own status then tells how it ended.
      await http.request('PUT', `${requestPath(taskId)}/cancel`, { accept: [400, 404] });
    },

    // fal deletes payloads only through its separate Platform API with an admin key.
    async deleteTask() {
      return 'not_supported' as const;
    },

    parseWebhook(body: unknown): ProviderTaskState | null {
      const requestId = stringField(body, 'request_id');
      const status = stringField(body, 'status');
      if (!requestId || (status !== 'OK' && status !== 'ERROR')) return null;
      const taskId = falTaskId(PIKA_FAL_APP, requestId);
      const payload = field(body, 'payload');
      if (status === 'OK') {
        const url = stringField(field(payload, 'video'), 'url');
        if (!url) return null;
        return { taskId, status: 'succeeded', progress: 1, outputUrl: url };
      }
      const errorText = stringField(body, 'error');
      // A webhook has no HTTP status of its own; the payload's detail list says it all.
      return { taskId, status: statusOfError(payload), failure: falFailure(undefined, payload, errorText) };
    },
  };
}

function detailItems(body: unknown): Record<string, unknown>[] {
  const detail = field(body, 'detail');
  return Array.isArray(detail)
    ? (detail.filter((d) => d && typeof d === 'object') as Record<string, unknown>[])
    : [];
}

function statusOfError(body: unknown): 'failed' | 'cancelled' {
  const text = JSON.stringify(field(body, 'detail') ?? '');
  return /cancel/i.test(text) && !detailItems(body).some((d) => d.type === 'content_policy_violation')
    ? 'cancelled'
    : 'failed';
}

/**
 * fal's model errors (fal.ai/docs/model-apis/errors): `detail` is a list of
 * `{loc, msg, type}`. A content-policy error located on an input field refused the input;
 * one located elsewhere refused what the model made.
 */
export function falFailure(status: number | undefined, body: unknown, fallback?: string): ProviderFailure {
  const items = detailItems(body);
  const first = items[0];
  const message =
    (typeof first?.msg === 'string' ? first.msg : undefined) ??
    stringField(body, 'detail') ??
    fallback ??
    'fal could not make this video';
  const policy = items.find((d) => d.type === 'content_policy_violation');
  if (policy) {
    const loc = Array.isArray(policy.loc) ? policy.loc.map(String) : [];
    const onInput = loc.some((l) => INPUT_FIELDS.has(l));
    return { code: onInput ? 'moderation_input' : 'moderation_output', message };
  }
  if (items.some((d) => d.type === 'generation_timeout')) return { code: 'timeout', message };
  if (status === 422 || status === 400) return { code: 'invalid_request', message };
  if (status !== undefined && TRANSIENT_RESULT_STATUSES.has(status)) return { code: 'unavailable', message };
  return { code: 'internal', message };
}

/**
 * fal locks an account whose balance is exhausted (403 "User is locked"); a model that
 * checks its input when the request is submitted answers 422 with a policy error.
 */
function classifyFalError(response: HttpResponse, message: string): ProviderError | undefined {
  if (response.status === 403 && /locked|balance|billing/i.test(message)) {
    return new ProviderError('provider_account', message, { httpStatus: 403 });
  }
  const failure = response.status === 422 ? falFailure(422, response.body) : undefined;
  if (failure?.code === 'moderation_input' || failure?.code === 'moderation_output') {
    return new ProviderError(failure.code, message, { httpStatus: 422 });
  }
  return undefined;
}
