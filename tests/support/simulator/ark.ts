// Volcano Engine Ark's content-generation API shape (volcengine-python-sdk): tasks with
// lowercase statuses, `{error: {code, message}}` bodies, video settings as top-level
// request fields echoed on the task, callbacks with the task object.
import type { SimTask } from './core.ts';
import { asObject, json, liveTask, str } from './http.ts';
import type { ProviderShape, SimContext, SimRequest, SimResponse } from './http.ts';
import { ARK_CREATE_TASK, unknownFields } from './sdk-fields.ts';

const TASKS = '/api/v3/contents/generations/tasks';
const DEFAULT_PAGE_SIZE = 10;
const ID_SUFFIX_LENGTH = 5;
/** Ark counts completion tokens per video; any plausible number will do. */
const TOKENS_PER_TASK = 108_900;
/** What Ark uses when a create leaves a setting out (a seed of -1 means "random"). */
const ARK_DEFAULTS = {
  resolution: '720p',
  ratio: '16:9',
  duration: 5,
  seed: -1,
  generateAudio: true,
  fps: 24,
} as const;

const arkError = (status: number, code: string, message: string): SimResponse =>
  json(status, {
    error: { code, message, param: '', type: status === 429 ? 'TooManyRequests' : 'BadRequest' },
  });

/** `cgt-20250507173314-t4pkt`: Ark's task ids carry the creation time. */
function arkTaskId(): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const suffix = Math.random()
    .toString(36)
    .slice(2, 2 + ID_SUFFIX_LENGTH);
  return `cgt-${stamp}-${suffix}`;
}

function taskBody(task: SimTask): Record<string, unknown> {
  const request = task.request;
  const body: Record<string, unknown> = {
    id: task.id,
    model: task.model,
    status: task.status,
    created_at: Math.floor(task.createdAt / 1000),
    updated_at: Math.floor((task.finishedAt ?? task.startedAt ?? task.createdAt) / 1000),
    // Ark echoes the settings it used, with its defaults where none were asked for.
    resolution: request.resolution ?? ARK_DEFAULTS.resolution,
    ratio: request.ratio ?? ARK_DEFAULTS.ratio,
    duration: request.duration ?? ARK_DEFAULTS.duration,
    seed: request.seed ?? ARK_DEFAULTS.seed,
    generate_audio: request.generate_audio ?? ARK_DEFAULTS.generateAudio,
    framespersecond: ARK_DEFAULTS.fps,
  };
  if (task.status === 'succeeded') {
    body.content = { video_url: task.outputUrl };
    body.usage = { completion_tokens: TOKENS_PER_TASK, total_tokens: TOKENS_PER_TASK };
  }
  if (task.status === 'failed') {
    body.error =
      task.failure === 'moderation_input'
        ? {
            code: 'InputTextSensitiveContentDetected',
            message: 'The request failed because the input text may contain sensitive information.',
          }
        : task.failure === 'moderation_output'
          ? {
              code: 'OutputVideoSensitiveContentDetected',
              message: 'The request failed because the output video may contain sensitive information.',
            }
          : {
              code: 'InternalServiceError',
              message: 'The service encountered an unexpected internal error.',
            };
  }
  return body;
}

function create(ctx: SimContext, req: SimRequest): SimResponse {
  const body = asObject(req.body);
  const extra = unknownFields(body, ARK_CREATE_TASK);
  if (extra.length > 0) {
    return arkError(
      400,
      'InvalidParameter',
      `The parameter \`${extra[0]}\` specified in the request is not valid.`,
    );
  }
  const content = Array.isArray(body.content) ? body.content.map(asObject) : [];
  const text = content.find((c) => c.type === 'text');
  if (!str(body.model) || !text)
    return arkError(400, 'MissingParameter', 'model and a text item are required');
  const task = ctx.state.createTask('seedance', {
    id: arkTaskId(),
    model: str(body.model),
    request: body,
    prompt: str(text.text),
    webhookUrl: str(body.callback_url) || undefined,
  });
  return json(200, { id: task.id });
}

function list(ctx: SimContext, req: SimRequest): SimResponse {
  const pageNum = Math.max(1, Number(req.query.get('page_num') ?? 1) || 1);
  const pageSize = Math.max(1, Number(req.query.get('page_size') ?? DEFAULT_PAGE_SIZE) || DEFAULT_PAGE_SIZE);
  const ids = req.query.getAll('filter.task_ids');
  const status = req.query.get('filter.status');
  const items = [...ctx.state.tasks.values()]
    .filter((t) => t.provider === 'seedance' && !t.deleted)
    .filter((t) => ids.length === 0 || ids.includes(t.id))
    .filter((t) => !status || t.status === status)
    .sort((a, b) => b.createdAt - a.createdAt);
  return json(200, {
    items: items.slice((pageNum - 1) * pageSize, pageNum * pageSize).map(taskBody),
    total: items.length,
  });
}

export const ark: ProviderShape = {
  provider: 'seedance',
  authScheme: 'Bearer',
  moderatesInputAt: 'submit',
  errorBody: (status, message) => ({
    error: {
      code:
        status === 429 ? 'RateLimitExceeded' : status >= 500 ? 'InternalServiceError' : 'InvalidParameter',
      message,
      param: '',
      type: status === 429 ? 'TooManyRequests' : 'InternalServerError',
    },
  }),
  accountError: () =>
    arkError(403, 'AccountOverdueError', 'The request failed because your account has an overdue balance.'),
  inputModerationAtSubmit: () =>
    arkError(
      400,
      'InputTextSensitiveContentDetected',
      'The request failed because the input text may contain sensitive information.',
    ),
  webhookBody: taskBody,
  routes: [
    {
      provider: 'seedance',
      method: 'POST',
      pattern: new RegExp(`^${TASKS}$`),
      creates: true,
      handle: (ctx, _m, req) => create(ctx, req),
    },
    {
      provider: 'seedance',
      method: 'GET',
      pattern: new RegExp(`^${TASKS}$`),
      handle: (ctx, _m, req) => list(ctx, req),
    },
    {
      provider: 'seedance',
      method: 'GET',
      pattern: new RegExp(`^${TASKS}/([^/]+)$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'seedance', match[1] ?? '');
        return task
          ? json(200, taskBody(task))
          : arkError(404, 'ResourceNotFound', 'The specified task is not found.');
      },
    },
    {
      provider: 'seedance',
      method: 'DELETE',
      pattern: new RegExp(`^${TASKS}/([^/]+)$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'seedance', match[1] ?? '');
        if (!task) return arkError(404, 'ResourceNotFound', 'The specified task is not found.');
        // Queued tasks are cancelled; running ones cannot be; finished ones are deleted.
        if (task.status === 'queued') ctx.state.cancel(task);
        else if (task.status === 'running') {
          return arkError(409, 'OperationDenied.InvalidState', 'A running task cannot be cancelled.');
        } else task.deleted = true;
        return json(200, {});
      },
    },
  ],
};
