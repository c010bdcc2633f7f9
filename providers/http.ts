// JSON over fetch for the provider adapters, with one classification of what can go
// wrong. Which side of the wire a failure happened on decides whether a create may be
// sent again, so network errors are sorted into "never reached the provider" and
// "may have been accepted".
import { SECOND, MINUTE } from '../domain/time.ts';
import { ProviderError } from './types.ts';
import type { ProviderErrorCode } from './types.ts';

/** Default per-request budget; a create that takes longer is treated as outcome unknown. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30 * SECOND;
/** A provider asking us to wait longer than this is treated as unavailable for now. */
export const MAX_RETRY_AFTER_MS = 10 * MINUTE;
/** How much of a provider's error body goes into our message. */
const MAX_DETAIL_LENGTH = 300;

/** Failures that happen before a single byte of the request was sent. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when it is not JSON, or undefined when empty. */
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /**
   * False for calls that create something (a task), whose repetition would be billed
   * twice. Decides whether a dropped answer is "outcome unknown".
   */
  idempotent?: boolean;
  /** Statuses the caller handles itself (e.g. 404 on a cancel); returned, not thrown. */
  accept?: readonly number[] | ((status: number) => boolean);
}

/**
 * Lets an adapter name a provider-specific error (moderation, account) before the
 * defaults apply. `message` is the ready-made, redacted description of the failure.
 */
export type ErrorClassifier = (response: HttpResponse, message: string) => ProviderError | undefined;

export interface HttpClientOptions {
  /** Used in messages: "Runway POST /v1/image_to_video: ...". */
  provider: string;
  baseUrl: string;
  headers: Record<string, string>;
  /** Values that must never appear in an error message (the API key). */
  secrets: readonly string[];
  fetch?: typeof fetch;
  timeoutMs?: number;
  classify?: ErrorClassifier;
}

export interface HttpClient {
  request(method: HttpMethod, path: string, options?: RequestOptions): Promise<HttpResponse>;
  /** The absolute URL of a path, for providers whose responses carry URLs. */
  url(path: string, query?: RequestOptions['query']): string;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const base = options.baseUrl.replace(/\/+$/, '');
  const redact = (text: string): string =>
    options.secrets.reduce((t, s) => (s ? t.split(s).join('[redacted]') : t), text);

  const url = (path: string, query?: RequestOptions['query']): string => {
    const u = new URL(base + path);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) u.searchParams.set(k, String(v));
    }
    return u.toString();
  };

  async function request(method: HttpMethod, path: string, req: RequestOptions = {}): Promise<HttpResponse> {
    const idempotent = req.idempotent ?? method !== 'POST';
    const where = `${options.provider} ${method} ${path}`;
    let response: Response;
    let body: unknown;
    try {
      response = await doFetch(url(path, req.query), {
        method,
        headers: {
          Accept: 'application/json',
          ...(req.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...options.headers,
        },
        body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'follow',
      });
      body = parseBody(await response.text());
    } catch (err) {
      throw networkError(err, where, idempotent, timeoutMs, redact);
    }
    const result: HttpResponse = { status: response.status, headers: response.headers, body };
    const accepted =
      typeof req.accept === 'function' ? req.accept(response.status) : req.accept?.includes(response.status);
    if (response.ok || accepted) return result;
    const detail = redact(errorDetail(body));
    const message = `${where}: HTTP ${response.status}${detail ? ` ${detail}` : ''}`;
    const specific = options.classify?.(result, message);
    throw specific ? withRedactedMessage(specific, redact) : classifyStatus(result, message);
  }

  return { request, url };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A short, single-line account of what the provider said went wrong. */
export function errorDetail(body: unknown): string {
  let text: string;
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') text = body;
  else {
    const b = body as Record<string, unknown>;
    const error = b.error as Record<string, unknown> | string | undefined;
    if (typeof error === 'string') text = error;
    else if (error && typeof error === 'object')
      text = [error.code, error.message].filter(Boolean).join(': ');
    else if (Array.isArray(b.detail)) text = b.detail.map(validationIssue).join('; ');
    else if (b.detail !== undefined)
      text = typeof b.detail === 'string' ? b.detail : JSON.stringify(b.detail);
    else if (typeof b.message === 'string') text = b.message;
    else text = JSON.stringify(body);
  }
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_DETAIL_LENGTH ? `${oneLine.slice(0, MAX_DETAIL_LENGTH)}…` : oneLine;
}

/**
 * One issue of a validation answer in Pydantic's format (`detail: [{loc, msg, type,
 * input}]`, what APIs served by FastAPI answer with): where and what, never the `input`
 * it echoes, which is the prompt or the parameters the person sent. The message goes into
 * logs and the job's workflow history, which hold ids and reasons only.
 */
function validationIssue(issue: unknown): string {
  if (!issue || typeof issue !== 'object') return typeof issue === 'string' ? issue : '';
  const { loc, msg } = issue as { loc?: unknown; msg?: unknown };
  const where = Array.isArray(loc) ? loc.join('.') : '';
  const what = typeof msg === 'string' ? msg : 'invalid';
  return where ? `${where}: ${what}` : what;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) * SECOND : Date.parse(trimmed) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/** The default reading of an HTTP status, for anything an adapter did not name itself. */
export function classifyStatus(response: HttpResponse, message: string): ProviderError {
  const status = response.status;
  const make = (code: ProviderErrorCode, retryable: boolean, retryAfterMs?: number) =>
    new ProviderError(code, message, { retryable, retryAfterMs, httpStatus: status });
  if (status === 429) return make('rate_limited', true, parseRetryAfter(response.headers.get('retry-after')));
  if (status === 408) return make('timeout', true);
  if (status >= 500) {
    // 501 and 505 will not get better by waiting; the rest are the provider's bad moments.
    const transient = status !== 501 && status !== 505;
    return make(
      transient ? 'unavailable' : 'internal',
      transient,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  if (status === 401 || status === 403) return make('unauthorized', false);
  if (status === 402) return make('provider_account', false);
  if (status === 404 || status === 410) return make('not_found', false);
  return make('invalid_request', false);
}

function errorCodeOf(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function networkError(
  err: unknown,
  where: string,
  idempotent: boolean,
  timeoutMs: number,
  redact: (s: string) => string,
): ProviderError {
  const name = (err as { name?: unknown }).name;
  const code = errorCodeOf(err);
  if (code && NOT_SENT_CODES.has(code)) {
    return new ProviderError('unavailable', redact(`${where}: could not connect (${code})`), {
      retryable: true,
      outcomeUnknown: false,
    });
  }
  const timedOut = name === 'TimeoutError';
  const what = timedOut ? `no answer within ${timeoutMs} ms` : `connection lost (${code ?? String(name)})`;
  if (idempotent) {
    return new ProviderError(timedOut ? 'timeout' : 'unavailable', redact(`${where}: ${what}`), {
      retryable: true,
      outcomeUnknown: false,
    });
  }
  // The request went out and may have created a task: retrying could bill twice, so the
  // caller must reconcile (findTask, a late webhook) instead of sending it again.
  return new ProviderError('timeout', redact(`${where}: ${what}; the provider may have accepted it`), {
    retryable: false,
    outcomeUnknown: true,
  });
}

function withRedactedMessage(error: ProviderError, redact: (s: string) => string): ProviderError {
  const message = redact(error.message);
  if (message === error.message) return error;
  return new ProviderError(error.code, message, {
    retryable: error.retryable,
    retryAfterMs: error.retryAfterMs,
    httpStatus: error.httpStatus,
    outcomeUnknown: error.outcomeUnknown,
  });
}

/** What every adapter factory takes: one provider account and, for tests, a fetch. */
export interface AdapterOptions {
  apiKey: string;
  baseUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** A JSON object's field, or undefined for anything that is not an object. */
export function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
}

export function stringField(value: unknown, key: string): string | undefined {
  const v = field(value, key);
  return typeof v === 'string' ? v : undefined;
}

export function numberField(value: unknown, key: string): number | undefined {
  const v = field(value, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * An answer that does not have the shape the provider documents. After a create it may
 * still have started a task, so the outcome is unknown there.
 */
export function unexpected(provider: string, what: string, afterCreate = false): ProviderError {
  return new ProviderError('internal', `${provider}: unexpected answer (${what})`, {
    retryable: !afterCreate,
    outcomeUnknown: afterCreate,
  });
}
