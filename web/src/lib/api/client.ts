// The site's typed API client. One class, two transports: on the site's server it calls
// API_INTERNAL_URL with the browser's cookies (#lib/server/api.ts); in the browser it calls
// the same-origin /api/* proxy (#lib/api/browser.ts). Every state-changing call takes the
// CSRF token the API issued (GET /api/auth/session, sign-in, MFA) and sends it as
// `X-CSRF-Token`. Calls never throw: they answer `{ ok: true, data }` or `{ ok: false, problem }`.
import { UNREACHABLE, problemFrom, type ApiProblem } from './errors.ts';
import type {
  Accepted,
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
}

/** Sends one request and returns the raw answer; throws only when the API cannot be reached. */
export type Transport = (request: ApiRequest) => Promise<Response>;

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; problem: ApiProblem };

export class ApiClient {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  async call<T>(method: Method, path: string, options: { body?: unknown; csrfToken?: string } = {}) {
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
}
