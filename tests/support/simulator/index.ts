// A stand-in for every video provider at once: one HTTP server on loopback that answers at
// the same paths as Runway, Luma, fal (Pika), Ark (Seedance) and Evolink (Veo), so an
// adapter is pointed at it by its base URL alone. Faults are injected per provider or for
// all, and can change while a test runs; finished videos are served by the simulator.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../config/index.ts';
import { ark } from './ark.ts';
import { PROMPT_MARKERS, SimState } from './core.ts';
import type { Faults, SimFailure, SimProvider, SimTask, WebhookDelivery } from './core.ts';
import { evolink } from './evolink.ts';
import { FAL_JWKS_PATH, fal, falJwks } from './fal.ts';
import type { ProviderShape, Route, SimContext, SimRequest, SimResponse } from './http.ts';
import { luma } from './luma.ts';
import { runway } from './runway.ts';
import { sampleVideo } from './video.ts';

export { PROMPT_MARKERS, SIM_PROVIDERS } from './core.ts';
export { FAL_SIM_USER_ID, falWebhookHeaders } from './fal.ts';
export type { Faults, SimProvider, SimTask, WebhookDelivery } from './core.ts';

/** Any key is accepted; tests use this one so a leaked key is easy to grep for. */
export const SIMULATOR_API_KEY = 'sim-secret-key-do-not-log';

const SHAPES: Record<SimProvider, ProviderShape> = { runway, luma, pika: fal, seedance: ark, veo: evolink };
// Evolink's `/v1/tasks/task-unified-…` must be tried before Runway's `/v1/tasks/{id}`.
const ROUTES: Route[] = [evolink, runway, luma, fal, ark].flatMap((shape) => shape.routes);
const FILES = /^\/files\/([^/]+)\.mp4$/;

export interface RequestRecord {
  provider: SimProvider | 'files' | 'unknown';
  method: string;
  path: string;
  status: number | 'dropped';
}

export interface ProviderSimulator {
  url: string;
  /** The JWKS with the key the simulated fal signs its webhooks with (FAL_WEBHOOK_JWKS_URL). */
  falJwksUrl: string;
  stop(): Promise<void>;
  /** Tasks created (create calls accepted), for one provider or all. */
  submissions(provider?: SimProvider): number;
  tasks(provider?: SimProvider): SimTask[];
  task(id: string): SimTask | undefined;
  setFaults(faults: Partial<Faults>, provider?: SimProvider): void;
  resetFaults(): void;
  /** Finishes a task now, with its planned outcome or the one given. */
  completeNow(taskId: string, outcome?: 'succeeded' | SimFailure): void;
  webhooks(provider?: SimProvider): WebhookDelivery[];
  requests(provider?: SimProvider): RequestRecord[];
  /** Provider settings pointing every adapter here, in the configuration's shape. */
  providersConfig(apiKey?: string): Config['providers'];
  /** The MP4 every finished task hands out from now on (the sample video when null). */
  setVideo(video: Buffer | null): void;
}

export async function startProviderSimulator(
  options: { faults?: Partial<Faults> } = {},
): Promise<ProviderSimulator> {
  const state = new SimState();
  if (options.faults) state.setFaults(options.faults);
  const requests: RequestRecord[] = [];
  const sample = await sampleVideo();
  let video = sample;
  const ctx: SimContext = { state, baseUrl: '' };
  state.hooks = Object.fromEntries(
    Object.entries(SHAPES).map(([provider, shape]) => [
      provider,
      {
        webhookBody: (task: SimTask) => shape.webhookBody(task, ctx),
        webhookHeaders: shape.webhookHeaders,
        fileUrl: (task: SimTask) => `${ctx.baseUrl}/files/${task.id}.mp4`,
      },
    ]),
  ) as SimState['hooks'];

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: { error: String(err) } });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', ctx.baseUrl);
    const method = req.method ?? 'GET';
    const record: RequestRecord = { provider: 'unknown', method, path: url.pathname, status: 404 };
    requests.push(record);
    const raw = await readBody(req);

    if (url.pathname === FAL_JWKS_PATH && method === 'GET') {
      // Public, like fal's: no key needed to read the signing keys.
      record.provider = 'pika';
      record.status = 200;
      return send(res, { status: 200, body: falJwks() });
    }

    const file = FILES.exec(url.pathname);
    if (file && (method === 'GET' || method === 'HEAD')) {
      record.provider = 'files';
      const known = state.tasks.has(file[1] ?? '');
      record.status = known ? 200 : 404;
      if (!known) return send(res, { status: 404, body: { error: 'no such file' } });
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': String(video.length) });
      res.end(method === 'HEAD' ? undefined : video);
      return;
    }

    const found = findRoute(method, url.pathname);
    if (!found) return send(res, { status: 404, body: { error: `no endpoint ${method} ${url.pathname}` } });
    const { route, match } = found;
    const provider = route.provider;
    record.provider = provider;
    const shape = SHAPES[provider];
    let body: unknown;
    try {
      body = raw.length > 0 ? JSON.parse(raw) : undefined;
    } catch {
      record.status = 400;
      return send(res, { status: 400, body: shape.errorBody(400, 'body is not JSON') });
    }
    const simReq: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    const response = await answerFor(shape, route, match, simReq);

    const faults = state.faults(provider);
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (state.takeDrop(provider)) {
      // Processed, but the answer never arrives: the caller cannot know what happened.
      record.status = 'dropped';
      req.socket.destroy();
      return;
    }
    record.status = response.status;
    send(res, response);
  }

  function answerFor(
    shape: ProviderShape,
    route: Route,
    match: RegExpExecArray,
    req: SimRequest,
  ): SimResponse | Promise<SimResponse> {
    const faults = state.faults(shape.provider);
    const auth = String(req.headers.authorization ?? '');
    if (
      faults.unauthorized ||
      !auth.startsWith(`${shape.authScheme} `) ||
      auth.length <= shape.authScheme.length + 1
    ) {
      return { status: 401, body: shape.errorBody(401, 'Invalid API key') };
    }
    const refused = shape.check?.(req);
    if (refused) return refused;
    const failure = state.takeFailure(shape.provider);
    if (failure) {
      const headers: Record<string, string> =
        failure.retryAfterSeconds !== undefined ? { 'Retry-After': String(failure.retryAfterSeconds) } : {};
      return {
        status: failure.status,
        body: shape.errorBody(failure.status, `Simulated HTTP ${failure.status}`),
        headers,
      };
    }
    if (route.creates) {
      if (faults.accountError) return shape.accountError();
      const where = faults.moderateInput === true ? shape.moderatesInputAt : faults.moderateInput;
      const marked =
        shape.moderatesInputAt === 'submit' &&
        JSON.stringify(req.body ?? '').includes(PROMPT_MARKERS.moderateInput);
      if (where === 'submit' || marked) return shape.inputModerationAtSubmit();
    }
    return route.handle(ctx, match, req);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ctx.baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: ctx.baseUrl,
    falJwksUrl: `${ctx.baseUrl}${FAL_JWKS_PATH}`,
    async stop() {
      await state.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    submissions: (provider) => state.submissions(provider),
    tasks: (provider) => [...state.tasks.values()].filter((t) => !provider || t.provider === provider),
    task: (id) => state.tasks.get(id),
    setFaults: (faults, provider) => state.setFaults(faults, provider),
    resetFaults: () => state.resetFaults(),
    setVideo: (replacement) => {
      video = replacement ?? sample;
    },
    completeNow(taskId, outcome) {
      const task = state.tasks.get(taskId);
      if (!task) throw new Error(`simulator: no task ${taskId}`);
      state.finish(task, outcome);
    },
    webhooks: (provider) => state.webhooks.filter((w) => !provider || w.provider === provider),
    requests: (provider) => requests.filter((r) => !provider || r.provider === provider),
    providersConfig(apiKey = SIMULATOR_API_KEY) {
      const at = { apiKey, baseUrl: ctx.baseUrl };
      return {
        runway: at,
        luma: at,
        pika: { ...at, webhookJwksUrl: `${ctx.baseUrl}${FAL_JWKS_PATH}` },
        seedance: at,
        veo: at,
      };
    },
  };
}

function findRoute(method: string, path: string): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match) return { route, match };
  }
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: SimResponse): void {
  const payload = response.body === undefined ? undefined : JSON.stringify(response.body);
  res.writeHead(response.status, {
    ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...response.headers,
  });
  res.end(payload);
}
