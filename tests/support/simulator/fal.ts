// fal's queue API shape (docs.fal.ai model-endpoints/queue), through which Pika is sold:
// submit to the model's path, read status/result/cancel under the app id, webhooks with
// `{request_id, status: OK|ERROR, payload}`, signed as fal signs them (ED25519 over the
// request id, user id, timestamp and the body's SHA-256) with a key published as a JWKS.
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { SimTask } from './core.ts';
import { asObject, json, liveTask, str } from './http.ts';
import type { ProviderShape, SimContext, SimRequest, SimResponse } from './http.ts';
import { FAL_PIKA_V22, unknownFields } from './sdk-fields.ts';

/** Where the simulator publishes its webhook key, as fal does at rest.alpha.fal.ai. */
export const FAL_JWKS_PATH = '/.well-known/jwks.json';
/** The fal account the simulated deliveries come from. */
export const FAL_SIM_USER_ID = 'sim-fal-user';
const SIGNING_KEY_ID = 'sim-fal-webhook-key';

/** One signing key per process, like fal's current key. */
const signingKeys = generateKeyPairSync('ed25519');

export function falJwks(): unknown {
  return {
    keys: [
      { ...signingKeys.publicKey.export({ format: 'jwk' }), kid: SIGNING_KEY_ID, use: 'sig', alg: 'EdDSA' },
    ],
  };
}

/** The four X-Fal-Webhook-* headers for a body, signed now (or at `atMs`). */
export function falWebhookHeaders(
  requestId: string,
  rawBody: string | Uint8Array,
  atMs = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.floor(atMs / 1000));
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  const message = Buffer.from(`${requestId}\n${FAL_SIM_USER_ID}\n${timestamp}\n${bodyHash}`);
  return {
    'X-Fal-Webhook-Request-Id': requestId,
    'X-Fal-Webhook-User-Id': FAL_SIM_USER_ID,
    'X-Fal-Webhook-Timestamp': timestamp,
    'X-Fal-Webhook-Signature': sign(null, message, signingKeys.privateKey).toString('hex'),
  };
}

const POLICY_MESSAGE =
  'The content could not be processed because it contained material flagged by a content checker.';

function requestUrls(ctx: SimContext, task: SimTask) {
  const base = `${ctx.baseUrl}/${task.appId}/requests/${task.id}`;
  return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}

/** The result endpoint's answer: the model's output, or its error. */
function result(task: SimTask): SimResponse {
  if (task.status === 'succeeded') {
    // I2VOutput in fal-js's endpoint types: the video file and nothing else.
    return json(200, { video: { url: task.outputUrl, content_type: 'video/mp4', file_name: 'output.mp4' } });
  }
  if (task.status === 'cancelled') return json(400, { detail: 'Request was cancelled' });
  if (task.failure === 'moderation_input' || task.failure === 'moderation_output') {
    // An input refusal points at the field it refused; an output refusal at the body.
    const loc = task.failure === 'moderation_input' ? ['body', 'prompt'] : ['body'];
    return json(422, { detail: [{ loc, msg: POLICY_MESSAGE, type: 'content_policy_violation' }] });
  }
  return json(500, { detail: [{ loc: ['body'], msg: 'Internal error', type: 'internal_server_error' }] });
}

function create(ctx: SimContext, match: RegExpExecArray, req: SimRequest): SimResponse {
  const body = asObject(req.body);
  const modelPath = match[1] ?? '';
  const appId = modelPath.split('/').slice(0, 2).join('/');
  const inputs = FAL_PIKA_V22[modelPath.split('/').at(-1) ?? ''];
  if (!inputs) return json(404, { detail: `Application '${modelPath}' not found` });
  const extra = unknownFields(body, inputs);
  if (extra.length > 0) {
    return json(422, {
      detail: extra.map((field) => ({
        loc: ['body', field],
        msg: 'extra fields not permitted',
        type: 'value_error.extra',
      })),
    });
  }
  if (!str(body.prompt)) {
    return json(422, { detail: [{ loc: ['body', 'prompt'], msg: 'field required', type: 'missing' }] });
  }
  const task = ctx.state.createTask('pika', {
    model: modelPath,
    request: body,
    prompt: str(body.prompt),
    webhookUrl: req.query.get('fal_webhook') ?? undefined,
    appId,
  });
  return json(200, {
    request_id: task.id,
    gateway_request_id: task.id,
    ...requestUrls(ctx, task),
    queue_position: ctx.state.queuePosition(task),
  });
}

function webhookBody(task: SimTask): unknown {
  const answer = result(task);
  const ok = answer.status === 200;
  return {
    request_id: task.id,
    gateway_request_id: task.id,
    status: ok ? 'OK' : 'ERROR',
    payload: answer.body,
    error: ok ? null : `Invalid status code: ${answer.status}`,
  };
}

const REQUEST = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)/;

export const fal: ProviderShape = {
  provider: 'pika',
  authScheme: 'Key',
  moderatesInputAt: 'task',
  errorBody: (_status, message) => ({ detail: message }),
  accountError: () =>
    json(403, {
      detail: 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.',
    }),
  inputModerationAtSubmit: () =>
    json(422, {
      detail: [{ loc: ['body', 'prompt'], msg: POLICY_MESSAGE, type: 'content_policy_violation' }],
    }),
  webhookBody,
  webhookHeaders: (task, rawBody) => falWebhookHeaders(task.id, rawBody),
  routes: [
    {
      provider: 'pika',
      method: 'GET',
      pattern: new RegExp(`${REQUEST.source}/status$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'pika', match[2] ?? '');
        if (!task) return json(404, { detail: 'Request not found' });
        const status =
          task.status === 'queued' ? 'IN_QUEUE' : task.status === 'running' ? 'IN_PROGRESS' : 'COMPLETED';
        return json(200, {
          status,
          ...(status === 'IN_QUEUE' ? { queue_position: ctx.state.queuePosition(task) } : {}),
          ...requestUrls(ctx, task),
          logs: null,
        });
      },
    },
    {
      provider: 'pika',
      method: 'PUT',
      pattern: new RegExp(`${REQUEST.source}/cancel$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'pika', match[2] ?? '');
        if (!task) return json(404, { detail: 'Request not found' });
        if (task.status !== 'queued') return json(400, { status: 'ALREADY_COMPLETED' });
        ctx.state.cancel(task);
        return json(202, { status: 'CANCELLATION_REQUESTED' });
      },
    },
    {
      provider: 'pika',
      method: 'GET',
      pattern: new RegExp(`${REQUEST.source}$`),
      handle(ctx, match) {
        const task = liveTask(ctx, 'pika', match[2] ?? '');
        if (!task) return json(404, { detail: 'Request not found' });
        if (task.status === 'queued' || task.status === 'running')
          return json(400, { detail: 'Request is still in progress' });
        return result(task);
      },
    },
    // Any other POST under an owner is a model path: `fal-ai/pika/v2.2/text-to-video`.
    { provider: 'pika', method: 'POST', pattern: /^\/(fal-ai\/[^?]+)$/, creates: true, handle: create },
  ],
};
