// Luma Dream Machine's API shape (lumalabs/lumaai-node): generation objects that echo the
// request (callback URL included), a paged listing, callbacks with the whole object.
import type { SimTask } from './core.ts';
import { asObject, json, liveTask, str } from './http.ts';
import type { ProviderShape, SimContext, SimRequest, SimResponse } from './http.ts';
import { LUMA_VIDEO, unknownFields } from './sdk-fields.ts';

const API = '/dream-machine/v1';
const MAX_LIST_LIMIT = 100;

function generation(task: SimTask): Record<string, unknown> {
  const state =
    task.status === 'queued'
      ? 'queued'
      : task.status === 'running'
        ? 'dreaming'
        : task.status === 'succeeded'
          ? 'completed'
          : 'failed';
  const failureReason =
    task.failure === 'moderation_input'
      ? '400: prompt not allowed because advanced moderation failed'
      : task.failure === 'moderation_output'
        ? 'The generated video was blocked by output moderation'
        : task.status === 'cancelled'
          ? 'Generation was cancelled'
          : task.failure
            ? 'Internal error'
            : null;
  return {
    id: task.id,
    generation_type: 'video',
    state,
    failure_reason: state === 'failed' ? failureReason : null,
    created_at: new Date(task.createdAt).toISOString(),
    assets: task.outputUrl ? { video: task.outputUrl } : null,
    model: task.model,
    request: task.request,
  };
}

function create(ctx: SimContext, req: SimRequest): SimResponse {
  const body = asObject(req.body);
  const extra = unknownFields(body, LUMA_VIDEO);
  if (extra.length > 0) {
    return json(422, {
      detail: extra.map((field) => ({
        loc: ['body', ...field.split('.')],
        msg: 'Extra inputs are not permitted',
        type: 'extra_forbidden',
      })),
    });
  }
  const prompt = str(body.prompt);
  if (prompt.length < 3) return json(400, { detail: 'prompt must be at least 3 characters' });
  const task = ctx.state.createTask('luma', {
    model: str(body.model),
    request: { generation_type: 'video', ...body },
    prompt,
    webhookUrl: str(body.callback_url) || undefined,
  });
  return json(201, generation(task));
}

function list(ctx: SimContext, req: SimRequest): SimResponse {
  const limit = Math.min(MAX_LIST_LIMIT, Number(req.query.get('limit') ?? 10) || 10);
  const offset = Number(req.query.get('offset') ?? 0) || 0;
  const all = [...ctx.state.tasks.values()]
    .filter((t) => t.provider === 'luma' && !t.deleted)
    .sort((a, b) => b.createdAt - a.createdAt);
  const page = all.slice(offset, offset + limit);
  return json(200, {
    generations: page.map(generation),
    has_more: offset + limit < all.length,
    count: page.length,
    limit,
    offset,
  });
}

export const luma: ProviderShape = {
  provider: 'luma',
  authScheme: 'Bearer',
  moderatesInputAt: 'submit',
  errorBody: (_status, message) => ({ detail: message }),
  accountError: () => json(400, { detail: 'Insufficient credits' }),
  inputModerationAtSubmit: () =>
    json(400, { detail: '400: prompt not allowed because advanced moderation failed' }),
  webhookBody: generation,
  routes: [
    // The SDK posts to /generations/video; older docs show /generations. Both are taken.
    {
      provider: 'luma',
      method: 'POST',
      pattern: new RegExp(`^${API}/generations(/video)?$`),
      creates: true,
      handle: (ctx, _m, req) => create(ctx, req),
    },
    {
      provider: 'luma',
      method: 'GET',
      pattern: new RegExp(`^${API}/generations$`),
      handle: (ctx, _m, req) => list(ctx, req),
    },
    {
      provider: 'luma',
      method: 'GET',
      pattern: new RegExp(`^${API}/generations/([^/]+)$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'luma', match[1] ?? '');
        return task ? json(200, generation(task)) : json(404, { detail: 'Generation not found' });
      },
    },
    {
      provider: 'luma',
      method: 'DELETE',
      pattern: new RegExp(`^${API}/generations/([^/]+)$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'luma', match[1] ?? '');
        if (!task) return json(404, { detail: 'Generation not found' });
        // A deleted generation is gone: no callback, and 404 from now on.
        if (task.status === 'queued' || task.status === 'running') ctx.state.cancel(task, { notify: false });
        task.deleted = true;
        return json(204);
      },
    },
  ],
};
