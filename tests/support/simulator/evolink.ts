// Evolink's API shape (docs.evolink.ai) for Veo 3.1: unified task ids, percent progress,
// `results` URLs, `{error: {code, message}}` on failed tasks, callbacks with the task.
import type { SimTask } from './core.ts';
import { asObject, json, liveTask, str } from './http.ts';
import type { ProviderShape, SimContext, SimRequest, SimResponse } from './http.ts';
import { EVOLINK_VEO, unknownFields } from './sdk-fields.ts';

const PERCENT = 100;
const ID_SUFFIX_LENGTH = 8;
/** What Evolink quotes for a Veo task, in seconds. */
const ESTIMATED_TIME_S = 180;

const evolinkError = (
  status: number,
  code: string,
  message: string,
  type = 'invalid_request_error',
): SimResponse => json(status, { error: { code, message, type } });

function evolinkTaskId(): string {
  const suffix = Math.random()
    .toString(36)
    .slice(2, 2 + ID_SUFFIX_LENGTH)
    .padEnd(ID_SUFFIX_LENGTH, '0');
  return `task-unified-${Math.floor(Date.now() / 1000)}-${suffix}`;
}

function taskBody(ctx: SimContext, task: SimTask): Record<string, unknown> {
  const status =
    task.status === 'queued'
      ? 'pending'
      : task.status === 'running'
        ? 'processing'
        : task.status === 'succeeded'
          ? 'completed'
          : task.status;
  const body: Record<string, unknown> = {
    created: Math.floor(task.createdAt / 1000),
    id: task.id,
    model: task.model,
    object: 'video.generation.task',
    progress: Math.round(ctx.state.progress(task) * PERCENT),
    status,
    task_info: {
      can_cancel: task.status === 'queued',
      estimated_time: ESTIMATED_TIME_S,
      video_duration: Number(asObject(task.request).duration ?? 8),
    },
    type: 'video',
  };
  if (task.status === 'succeeded') body.results = [task.outputUrl];
  if (task.status === 'failed') {
    body.error =
      task.failure === 'moderation_input'
        ? {
            code: 'content_policy_violation',
            message: 'Content policy violation.\nYour request was blocked by safety filters.',
          }
        : task.failure === 'moderation_output'
          ? {
              code: 'content_policy_violation',
              message: 'Content policy violation.\nThe generated video was blocked by safety filters.',
            }
          : { code: 'service_error', message: 'Internal service error' };
  }
  return body;
}

function create(ctx: SimContext, req: SimRequest): SimResponse {
  const body = asObject(req.body);
  const extra = unknownFields(body, EVOLINK_VEO);
  if (extra.length > 0)
    return evolinkError(400, 'invalid_parameters', `Unknown parameter: ${extra.join(', ')}`);
  if (!str(body.model) || !str(body.prompt))
    return evolinkError(400, 'invalid_parameters', 'model and prompt are required');
  const callback = str(body.callback_url);
  const task = ctx.state.createTask('veo', {
    id: evolinkTaskId(),
    model: str(body.model),
    request: body,
    prompt: str(body.prompt),
    webhookUrl: callback || undefined,
  });
  return json(200, {
    ...taskBody(ctx, task),
    usage: { billing_rule: 'per_call', credits_reserved: 25.7, user_group: 'default' },
  });
}

export const evolink: ProviderShape = {
  provider: 'veo',
  authScheme: 'Bearer',
  moderatesInputAt: 'task',
  errorBody: (status, message) => ({
    error: {
      code:
        status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'service_unavailable' : 'invalid_parameters',
      message,
      type:
        status === 429
          ? 'rate_limit_error'
          : status >= 500
            ? 'service_unavailable_error'
            : 'invalid_request_error',
    },
  }),
  accountError: () =>
    evolinkError(402, 'insufficient_quota', 'Insufficient balance', 'insufficient_quota_error'),
  inputModerationAtSubmit: () =>
    evolinkError(
      400,
      'content_policy_violation',
      'Content policy violation.\nYour request was blocked by safety filters.',
    ),
  webhookBody: (task, ctx) => taskBody(ctx, task),
  routes: [
    {
      provider: 'veo',
      method: 'POST',
      pattern: /^\/v1\/videos\/generations$/,
      creates: true,
      handle: (c, _m, req) => create(c, req),
    },
    {
      provider: 'veo',
      method: 'GET',
      // Same path as Runway's; the dispatcher sends `task-unified-` ids here.
      pattern: /^\/v1\/tasks\/(task-unified-[^/]+)$/,
      handle(c, match) {
        const task = liveTask(c, 'veo', match[1] ?? '');
        return task
          ? json(200, taskBody(c, task))
          : evolinkError(404, 'resource_not_found', 'Task not found', 'not_found_error');
      },
    },
  ],
};
