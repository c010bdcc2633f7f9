// The small HTTP vocabulary the provider modules answer in.
import type { IncomingHttpHeaders } from 'node:http';
import type { SimProvider, SimState, SimTask } from './core.ts';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SimContext {
  state: SimState;
  /** The simulator's own address, for URLs in answers (fal's status_url, output files). */
  baseUrl: string;
}

export interface Route {
  provider: SimProvider;
  method: string;
  pattern: RegExp;
  /** Whether this call creates a task (counted, and subject to account errors). */
  creates?: boolean;
  handle(ctx: SimContext, match: RegExpExecArray, req: SimRequest): SimResponse | Promise<SimResponse>;
}

/** How a provider writes its error bodies, for injected failures. */
export interface ProviderShape {
  provider: SimProvider;
  routes: Route[];
  /** The authorization header value's scheme (`Bearer`, `Key`). */
  authScheme: string;
  errorBody(status: number, message: string): unknown;
  /** The provider's out-of-credits answer to a create. */
  accountError(): SimResponse;
  /** The provider's refusal of a prompt at create time. */
  inputModerationAtSubmit(): SimResponse;
  /** Where the provider refuses input when `moderateInput` is `true`. */
  moderatesInputAt: 'submit' | 'task';
  webhookBody(task: SimTask, ctx: SimContext): unknown;
  /** Headers sent with a delivery of exactly this body (fal signs its webhooks). */
  webhookHeaders?(task: SimTask, rawBody: string): Record<string, string>;
  /** Extra checks on every request (Runway's version header). */
  check?(req: SimRequest): SimResponse | undefined;
}

export const json = (status: number, body?: unknown, headers?: Record<string, string>): SimResponse => ({
  status,
  body,
  headers,
});

export function asObject(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

export const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Finds a live task of a provider by id. */
export function liveTask(ctx: SimContext, provider: SimProvider, id: string): SimTask | undefined {
  const task = ctx.state.tasks.get(id);
  return task && task.provider === provider && !task.deleted ? task : undefined;
}
