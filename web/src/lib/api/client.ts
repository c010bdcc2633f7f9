// The site's typed API client. One class, two transports: on the site's server it calls
// API_INTERNAL_URL with the browser's cookies (#lib/server/api.ts); in the browser it calls
// the same-origin /api/* proxy (#lib/api/browser.ts). Every state-changing call takes the
// CSRF token the API issued (GET /api/auth/session, sign-in, MFA) and sends it as
// `X-CSRF-Token`. Calls never throw: they answer `{ ok: true, data }` or `{ ok: false, problem }`.
import { UNREACHABLE, problemFrom, type ApiProblem } from './errors.ts';
import type {
  Accepted,
  AnalyticsEventBody,
  Asset,
  AssetPage,
  Consents,
  CreateJobBody,
  CreditPack,
  Credits,
  DownloadLink,
  HeldJob,
  Job,
  JobPage,
  JobRequestBody,
  OfferedModel,
  OpsAsset,
  OpsJob,
  PaymentView,
  Quote,
  GoogleCompleteBody,
  MfaEnabled,
  MfaProof,
  MfaSetup,
  Preferences,
  Providers,
  SessionAnswer,
  SessionInfo,
  SignUpBody,
  User,
} from './types.ts';

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

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async call<T>(
    method: Method,
    path: string,
    options: { body?: unknown; csrfToken?: string; headers?: Record<string, string> } = {},
  ) {
    let res: Response;
    try {
      res = await this.#transport({ method, path, ...options });
    } catch {
      return { ok: false, problem: UNREACHABLE } as ApiResult<T>;
    }
    if (!res.ok) return { ok: false, problem: await problemFrom(res) } as ApiResult<T>;
    try {
      return { ok: true, status: res.status, data: (await res.json()) as T } as ApiResult<T>;
    } catch {
      return { ok: false, problem: { ...UNREACHABLE, status: res.status, code: 'internal' } } as ApiResult<T>;
    }
  }

  // ------------------------------------------------------------ auth

  session() {
    return this.call<SessionAnswer>('GET', '/api/auth/session');
  }

  /** Which sign-in methods are offered; a deployment without the endpoint offers only passwords. */
  async providers(): Promise<Providers> {
    const result = await this.call<Providers>('GET', '/api/auth/providers');
    return result.ok
      ? { password: true, google: result.data.google === true }
      : { password: true, google: false };
  }

  signUp(body: SignUpBody, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/sign-up', { body, csrfToken });
  }

  verifyEmail(token: string, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/verify-email', { body: { token }, csrfToken });
  }

  resendVerification(email: string, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/resend-verification', { body: { email }, csrfToken });
  }

  signIn(body: { email: string; password: string }, csrfToken: string) {
    return this.call<SessionAnswer>('POST', '/api/auth/sign-in', { body, csrfToken });
  }

  signOut(csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/sign-out', { body: {}, csrfToken });
  }

  signOutEverywhere(csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/sign-out-everywhere', { body: {}, csrfToken });
  }

  requestPasswordReset(email: string, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/password-reset/request', { body: { email }, csrfToken });
  }

  confirmPasswordReset(body: { token: string; newPassword: string }, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/password-reset/confirm', { body, csrfToken });
  }

  confirmParentalConsent(token: string, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/auth/parental-consent/confirm', { body: { token }, csrfToken });
  }

  verifyMfa(proof: MfaProof, csrfToken: string) {
    return this.call<SessionAnswer>('POST', '/api/auth/mfa/verify', { body: proof, csrfToken });
  }

  completeGoogleSignUp(body: GoogleCompleteBody, csrfToken: string) {
    return this.call<{ user: User; csrfToken: string }>('POST', '/api/auth/google/complete', {
      body,
      csrfToken,
    });
  }

  // ------------------------------------------------------------ account

  account() {
    return this.call<User>('GET', '/api/account');
  }

  updateProfile(body: { name?: string; email?: string }, csrfToken: string) {
    return this.call<User>('PATCH', '/api/account', { body, csrfToken });
  }

  updatePreferences(body: Preferences, csrfToken: string) {
    return this.call<User>('PUT', '/api/account/preferences', { body, csrfToken });
  }

  changePassword(body: { currentPassword: string; newPassword: string }, csrfToken: string) {
    return this.call<Accepted>('POST', '/api/account/password', { body, csrfToken });
  }

  sessions() {
    return this.call<{ sessions: SessionInfo[] }>('GET', '/api/account/sessions');
  }

  revokeSession(id: string, csrfToken: string) {
    return this.call<{ status: string }>('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`, {
      csrfToken,
    });
  }

  startMfaSetup(csrfToken: string) {
    return this.call<MfaSetup>('POST', '/api/account/mfa/setup', { body: {}, csrfToken });
  }

  enableMfa(code: string, csrfToken: string) {
    return this.call<MfaEnabled>('POST', '/api/account/mfa/enable', { body: { code }, csrfToken });
  }

  disableMfa(proof: MfaProof, csrfToken: string) {
    return this.call<{ status: string }>('POST', '/api/account/mfa/disable', { body: proof, csrfToken });
  }

  // ------------------------------------------------------------ generation

  models() {
    return this.call<{ models: OfferedModel[] }>('GET', '/api/models');
  }

  quote(body: JobRequestBody, csrfToken: string) {
    return this.call<Quote>('POST', '/api/quotes', { body, csrfToken });
  }

  /** The same `idempotencyKey` always answers with the same job: a retry never makes a second one. */
  createJob(body: CreateJobBody, idempotencyKey: string, csrfToken: string) {
    return this.call<Job>('POST', '/api/jobs', {
      body,
      csrfToken,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }

  jobs(query: { status?: string; modelId?: string; cursor?: string; limit?: number } = {}) {
    return this.call<JobPage>('GET', `/api/jobs${queryString(query)}`);
  }

  job(id: string) {
    return this.call<Job>('GET', `/api/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string, csrfToken: string) {
    return this.call<Job>('POST', `/api/jobs/${encodeURIComponent(id)}/cancel`, { body: {}, csrfToken });
  }

  revisions(id: string) {
    return this.call<{ jobs: Job[] }>('GET', `/api/jobs/${encodeURIComponent(id)}/revisions`);
  }

  opsJob(id: string) {
    return this.call<OpsJob>('GET', `/api/ops/jobs/${encodeURIComponent(id)}`);
  }

  // ------------------------------------------------------------ assets

  assets(query: { kind?: string; cursor?: string; limit?: number } = {}) {
    return this.call<AssetPage>('GET', `/api/assets${queryString(query)}`);
  }

  asset(id: string) {
    return this.call<Asset>('GET', `/api/assets/${encodeURIComponent(id)}`);
  }

  /** A short-lived link to the file itself (the owner's only). */
  downloadLink(id: string) {
    return this.call<DownloadLink>('GET', `/api/assets/${encodeURIComponent(id)}/download`);
  }

  deleteAsset(id: string, csrfToken: string) {
    return this.call<Asset>('DELETE', `/api/assets/${encodeURIComponent(id)}`, { csrfToken });
  }

  opsAsset(id: string) {
    return this.call<OpsAsset>('GET', `/api/ops/assets/${encodeURIComponent(id)}`);
  }

  // ------------------------------------------------------------ credits

  credits(query: { before?: number; limit?: number } = {}) {
    return this.call<Credits>('GET', `/api/credits${queryString(query)}`);
  }

  creditPacks() {
    return this.call<{ packs: CreditPack[] }>('GET', '/api/billing/packs');
  }

  /** Starts paying for a pack: answers with Stripe Checkout's page, where the card is typed. */
  checkout(packId: string, csrfToken: string) {
    return this.call<{ sessionId: string; url: string }>('POST', '/api/billing/checkout', {
      body: { packId },
      csrfToken,
    });
  }

  payment(id: string) {
    return this.call<PaymentView>('GET', `/api/billing/payments/${encodeURIComponent(id)}`);
  }

  // ------------------------------------------------------------ moderation

  moderationQueue() {
    return this.call<{ jobs: HeldJob[] }>('GET', '/api/moderation/queue');
  }

  decideReview(id: string, body: { approve: boolean; reason: string }, csrfToken: string) {
    return this.call<{ id: string; decision: 'approved' | 'rejected' }>(
      'POST',
      `/api/moderation/jobs/${encodeURIComponent(id)}/decision`,
      { body, csrfToken },
    );
  }

  // ------------------------------------------------------------ consent and analytics

  consents() {
    return this.call<Consents>('GET', '/api/consents');
  }

  saveConsents(
    body: {
      analytics?: boolean;
      marketingEmail?: boolean;
      source: 'banner' | 'settings' | 'sign_up' | 'privacy_center';
    },
    csrfToken: string,
  ) {
    return this.call<Omit<Consents, 'doNotTrack'>>('PUT', '/api/consents', { body, csrfToken });
  }

  sendAnalytics(events: AnalyticsEventBody[], csrfToken: string) {
    return this.call<{ stored: number; reason?: string }>('POST', '/api/analytics/events', {
      body: { events },
      csrfToken,
    });
  }
}

/** `?a=1&b=2` from the defined values, or nothing. */
function queryString(query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
