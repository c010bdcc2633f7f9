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

  /**
   * The result endpoint is fal's last word on a request: the video, or why there is none.
   * Any answer other than a gateway hiccup or a throttle ends the task, whatever its HTTP
   * status, so a failure fal reports in an unusual way is never polled until the job
   * times out.
   */
  async function result(taskId: string): Promise<ProviderTaskState> {
    const response = await http.request('GET', requestPath(taskId), { accept: isFinalResultStatus });
    return readFalResult(taskId, response);
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
      const state = readFalStatus(taskId, response.body);
      // COMPLETED without an error, or a status fal has not documented: the result decides.
      return state ?? result(taskId);
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
      // fal writes the model's HTTP status into the error text ("Invalid status code: 422").
      const httpStatus = Number(/status code:?\s*(\d{3})/i.exec(errorText ?? '')?.[1]) || undefined;
      return { taskId, status: statusOfError(payload), failure: falFailure(httpStatus, payload, errorText) };
    },
  };
}

/**
 * fal's queue statuses (fal-js types/common.ts QueueStatus; fal_client Queued,
 * InProgress, Completed). A COMPLETED status may itself carry the failure (`error`,
 * `error_type`, as fal_client's tests show). Null when only the result can tell.
 */
export function readFalStatus(taskId: string, body: unknown): ProviderTaskState | null {
  const status = stringField(body, 'status');
  switch (status) {
    case 'IN_QUEUE':
      return { taskId, status: 'queued', queuePosition: numberField(body, 'queue_position') };
    case 'IN_PROGRESS':
      return { taskId, status: 'running' };
    case 'COMPLETED': {
      const error = stringField(body, 'error');
      const errorType = stringField(body, 'error_type');
      if (!error && !errorType) return null;
      return {
        taskId,
        status: isCancellation(errorType) ? 'cancelled' : 'failed',
        failure: falFailure(undefined, { detail: error, error_type: errorType }),
      };
    }
    case 'CANCELLED':
    case 'CANCELED':
      return { taskId, status: 'cancelled' };
    default:
      return null;
  }
}

/** Result statuses that are fal's answer about the request, not a passing trouble of ours or theirs. */
function isFinalResultStatus(status: number): boolean {
  return status >= 400 && status !== 401 && status !== 403 && status !== 429;
}

/** What the result endpoint said, as the task's state (or a thrown error when it should be asked again). */
export function readFalResult(taskId: string, response: HttpResponse): ProviderTaskState {
  const body = response.body;
  if (response.status < 400) {
    const url = stringField(field(body, 'video'), 'url');
    if (url) return { taskId, status: 'succeeded', progress: 1, outputUrl: url };
    // A 200 without a video is still the end of the request: say what fal said.
    const failure = falFailure(response.status, body, 'fal finished the request without a video');
    return { taskId, status: 'failed', failure };
  }
  const errorType = stringField(body, 'error_type') ?? response.headers.get('x-fal-error-type') ?? undefined;
  const detail = stringField(body, 'detail') ?? '';
  if (response.status === 400 && /in progress|in queue/i.test(detail)) return { taskId, status: 'running' };
  if (TRANSIENT_RESULT_STATUSES.has(response.status) && !errorType && field(body, 'detail') === undefined) {
    // A bare 502/503/504 comes from a proxy on the way, not from fal's record of the request.
    throw new ProviderError('unavailable', `fal: result answered HTTP ${response.status}`, {
      retryable: true,
      httpStatus: response.status,
    });
  }
  const withType = errorType && body && typeof body === 'object' ? { ...body, error_type: errorType } : body;
  return {
    taskId,
    status: isCancellation(errorType) ? 'cancelled' : statusOfError(withType),
    failure: falFailure(response.status, withType),
  };
}

function isCancellation(errorType: string | undefined): boolean {
  return errorType !== undefined && /cancel/i.test(errorType);
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
  const errorType = stringField(body, 'error_type');
  if (errorType) return { code: falErrorTypeCode(errorType), message };
  if (status === 422 || status === 400) return { code: 'invalid_request', message };
  if (status !== undefined && TRANSIENT_RESULT_STATUSES.has(status)) return { code: 'unavailable', message };
  return { code: 'internal', message };
}

/**
 * fal's request error types (fal.ai/docs/documentation/model-apis/request-errors:
 * request_timeout, startup_timeout, runner_scheduling_failure, runner_disconnected, …)
 * in our words. fal has already retried these up to 10 times before reporting them.
 */
export function falErrorTypeCode(errorType: string): ProviderFailure['code'] {
  if (/timeout/.test(errorType)) return 'timeout';
  if (/^runner_|unavailable|overloaded/.test(errorType)) return 'unavailable';
  if (/content_policy/.test(errorType)) return 'moderation_output';
  if (/^bad_request|validation/.test(errorType)) return 'invalid_request';
  return 'internal';
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
