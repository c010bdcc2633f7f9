// The site's typed API client. One class, two transports: on the site's server it calls
// API_INTERNAL_URL with the browser's cookies (#lib/server/api.ts); in the browser it calls
// the same-origin /api/* proxy (#lib/api/browser.ts). Every state-changing call takes the
// CSRF token the API issued (GET /api/auth/session, sign-in, MFA) and sends it as
// `X-CSRF-Token`. Calls never throw: they answer `{ ok: true, data }` or `{ ok: false, problem }`.
// Each feature's calls live beside its pages (#lib/<feature>/api.ts) and are reached by
// the feature's word: `api.generation.job(id)`, `api.retention.downloadLink(id)`.
import { accountDeletionCalls } from '../account-deletion/api.ts';
import { accountsCalls } from '../accounts/api.ts';
import { announcementCalls } from '../announcement/api.ts';
import { billingCalls } from '../billing/api.ts';
import { consentCalls } from '../consent/api.ts';
import { diagnosticCalls } from '../diagnostic/api.ts';
import { generationCalls } from '../generation/api.ts';
import { incidentCalls } from '../incident/api.ts';
import { legalHoldCalls } from '../legal-hold/api.ts';
import { moderationCalls } from '../moderation/api.ts';
import { policyCalls } from '../policy/api.ts';
import { retentionCalls } from '../retention/api.ts';
import { rightsRequestCalls } from '../rights-request/api.ts';
import { takedownCalls } from '../takedown/api.ts';
import { supportCalls } from '../support/api.ts';
import { UNREACHABLE, problemFrom, type ApiProblem } from './errors.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRequest {
  method: Method;
  /** Path on the API, starting with `/api/`. */
  path: string;
  body?: unknown;
  csrfToken?: string;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
}

/** Sends one request and returns the raw answer; throws only when the API cannot be reached. */
export type Transport = (request: ApiRequest) => Promise<Response>;

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; problem: ApiProblem };

export class ApiClient {
  readonly #transport: Transport;

  readonly accounts = accountsCalls(this);
  readonly generation = generationCalls(this);
  readonly retention = retentionCalls(this);
  readonly billing = billingCalls(this);
  readonly consent = consentCalls(this);
  readonly policy = policyCalls(this);
  readonly moderation = moderationCalls(this);
  readonly rightsRequest = rightsRequestCalls(this);
  readonly legalHold = legalHoldCalls(this);
  readonly accountDeletion = accountDeletionCalls(this);
  readonly diagnostic = diagnosticCalls(this);
  readonly takedown = takedownCalls(this);
  readonly incident = incidentCalls(this);
  readonly support = supportCalls(this);
  readonly announcement = announcementCalls(this);

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async call<T>(
    method: Method,
    path: string,
    options: { body?: unknown; csrfToken?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResult<T>> {
    let res: Response;
    try {
      res = await this.#transport({ method, path, ...options });
    } catch {
      return { ok: false, problem: UNREACHABLE };
    }
    if (!res.ok) return { ok: false, problem: await problemFrom(res) };
    try {
      return { ok: true, status: res.status, data: (await res.json()) as T };
    } catch {
      return { ok: false, problem: { ...UNREACHABLE, status: res.status, code: 'internal' } };
    }
  }

  /** A state change: a JSON body and the CSRF token the API issued. */
  post<T>(path: string, body: unknown, csrfToken: string): Promise<ApiResult<T>> {
    return this.call<T>('POST', path, { body, csrfToken });
  }
}
