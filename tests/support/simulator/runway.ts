// Runway's API shape (runwayml/sdk-node): tasks by id, UPPERCASE statuses, failure codes,
// no webhooks, DELETE to cancel or delete.
import type { SimTask } from './core.ts';
import { asObject, json, liveTask, str } from './http.ts';
import type { ProviderShape, SimContext, SimRequest, SimResponse } from './http.ts';
import { RUNWAY_IMAGE_TO_VIDEO, RUNWAY_TEXT_TO_VIDEO, unknownFields } from './sdk-fields.ts';

export const RUNWAY_VERSION = '2024-11-06';

function taskBody(ctx: SimContext, task: SimTask): Record<string, unknown> {
  const base = { id: task.id, createdAt: new Date(task.createdAt).toISOString() };
  switch (task.status) {
    case 'queued':
      return { ...base, status: 'PENDING' };
    case 'running':
      return { ...base, status: 'RUNNING', progress: ctx.state.progress(task) };
    case 'succeeded':
      return { ...base, status: 'SUCCEEDED', output: [task.outputUrl] };
    case 'cancelled':
      return { ...base, status: 'CANCELLED' };
    case 'failed': {
      const failureCode =
        task.failure === 'moderation_input'
          ? 'SAFETY.INPUT.TEXT'
          : task.failure === 'moderation_output'
            ? 'SAFETY.OUTPUT.VIDEO'
            : 'INTERNAL.BAD_OUTPUT.CODE01';
      return { ...base, status: 'FAILED', failure: 'The task was rejected.', failureCode };
    }
  }
}

function create(ctx: SimContext, req: SimRequest): SimResponse {
  const body = asObject(req.body);
  const extra = unknownFields(
    body,
    req.path === '/v1/image_to_video' ? RUNWAY_IMAGE_TO_VIDEO : RUNWAY_TEXT_TO_VIDEO,
  );
  if (extra.length > 0) {
    return json(400, {
      error: `Validation of body failed: unrecognized key(s) ${extra.join(', ')}`,
      issues: extra.map((path) => ({ path, message: 'Unrecognized key' })),
    });
  }
  if (!str(body.model) || !str(body.ratio)) return json(400, { error: 'Validation of body failed' });
  if (req.path === '/v1/image_to_video' && body.promptImage === undefined) {
    return json(400, { error: 'promptImage is required' });
  }
  const task = ctx.state.createTask('runway', {
    model: str(body.model),
    request: body,
    prompt: str(body.promptText),
  });
  return json(200, { id: task.id });
}

export const runway: ProviderShape = {
  provider: 'runway',
  authScheme: 'Bearer',
  moderatesInputAt: 'task',
  errorBody: (_status, message) => ({ error: message }),
  accountError: () => json(400, { error: 'You do not have enough credits to run this task.' }),
  inputModerationAtSubmit: () => json(400, { error: 'Your prompt was flagged by content moderation.' }),
  // Runway has no webhooks; a task never carries a callback URL.
  webhookBody: () => undefined,
  check(req) {
    if (req.headers['x-runway-version'] !== RUNWAY_VERSION) {
      return json(400, { error: `X-Runway-Version must be ${RUNWAY_VERSION}` });
    }
    return undefined;
  },
  routes: [
    {
      provider: 'runway',
      method: 'POST',
      pattern: /^\/v1\/(image|text)_to_video$/,
      creates: true,
      handle: (ctx, _m, req) => create(ctx, req),
    },
    {
      provider: 'runway',
      method: 'GET',
      pattern: /^\/v1\/tasks\/([^/]+)$/,
      handle(ctx, match) {
        const task = liveTask(ctx, 'runway', match[1] ?? '');
        return task ? json(200, taskBody(ctx, task)) : json(404, { error: 'Task not found' });
      },
    },
    {
      provider: 'runway',
      method: 'DELETE',
      pattern: /^\/v1\/tasks\/([^/]+)$/,
      handle(ctx, match) {
        const task = liveTask(ctx, 'runway', match[1] ?? '');
        if (!task) return json(404, { error: 'Task not found' });
        // Running work is aborted (and stays readable as CANCELLED); finished work is deleted.
        if (task.status === 'queued' || task.status === 'running') ctx.state.cancel(task);
        else task.deleted = true;
        return json(204);
      },
    },
  ],
};
