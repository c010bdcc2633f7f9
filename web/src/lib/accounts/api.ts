// The accounts calls (sign-up, sign-in, sessions, MFA, profile and preferences) on the
// site's API client, either transport (#lib/api/client.ts).
import type { ApiClient } from '../api/client.ts';
import { seg } from '../api/query.ts';
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

/**
 * The form's answer as it was given: a box left unticked sends no policy version, and
 * the API names that problem (it accepts only the current version).
 */
type AsAnswered<T> = Omit<T, 'acceptPolicyVersion'> & { acceptPolicyVersion: string };

export function accountsCalls(api: ApiClient) {
  return {
    session: () => api.call<SessionAnswer>('GET', '/api/auth/session'),

    /** Which sign-in methods are offered; a deployment without the endpoint offers only passwords. */
    providers: async (): Promise<Providers> => {
      const result = await api.call<Providers>('GET', '/api/auth/providers');
      return { password: true, google: result.ok && result.data.google === true };
    },

    signUp: (body: AsAnswered<SignUpBody>, csrfToken: string) =>
      api.post<Accepted>('/api/auth/sign-up', body, csrfToken),
    verifyEmail: (token: string, csrfToken: string) =>
      api.post<Accepted>('/api/auth/verify-email', { token }, csrfToken),
    resendVerification: (email: string, csrfToken: string) =>
      api.post<Accepted>('/api/auth/resend-verification', { email }, csrfToken),
    signIn: (body: { email: string; password: string }, csrfToken: string) =>
      api.post<SessionAnswer>('/api/auth/sign-in', body, csrfToken),
    signOut: (csrfToken: string) => api.post<Accepted>('/api/auth/sign-out', {}, csrfToken),
    signOutEverywhere: (csrfToken: string) =>
      api.post<Accepted>('/api/auth/sign-out-everywhere', {}, csrfToken),
    requestPasswordReset: (email: string, csrfToken: string) =>
      api.post<Accepted>('/api/auth/password-reset/request', { email }, csrfToken),
    confirmPasswordReset: (body: { token: string; newPassword: string }, csrfToken: string) =>
      api.post<Accepted>('/api/auth/password-reset/confirm', body, csrfToken),
    confirmParentalConsent: (token: string, csrfToken: string) =>
      api.post<Accepted>('/api/auth/parental-consent/confirm', { token }, csrfToken),
    verifyMfa: (proof: MfaProof, csrfToken: string) =>
      api.post<SessionAnswer>('/api/auth/mfa/verify', proof, csrfToken),
    completeGoogleSignUp: (body: AsAnswered<GoogleCompleteBody>, csrfToken: string) =>
      api.post<{ user: User; csrfToken: string }>('/api/auth/google/complete', body, csrfToken),

    account: () => api.call<User>('GET', '/api/account'),
    updateProfile: (body: { name?: string; email?: string }, csrfToken: string) =>
      api.call<User>('PATCH', '/api/account', { body, csrfToken }),
    updatePreferences: (body: Preferences, csrfToken: string) =>
      api.call<User>('PUT', '/api/account/preferences', { body, csrfToken }),
    changePassword: (body: { currentPassword: string; newPassword: string }, csrfToken: string) =>
      api.post<Accepted>('/api/account/password', body, csrfToken),
    sessions: () => api.call<{ sessions: SessionInfo[] }>('GET', '/api/account/sessions'),
    revokeSession: (id: string, csrfToken: string) =>
      api.call<{ status: string }>('DELETE', `/api/account/sessions/${seg(id)}`, { csrfToken }),
    startMfaSetup: (csrfToken: string) => api.post<MfaSetup>('/api/account/mfa/setup', {}, csrfToken),
    enableMfa: (code: string, csrfToken: string) =>
      api.post<MfaEnabled>('/api/account/mfa/enable', { code }, csrfToken),
    disableMfa: (proof: MfaProof, csrfToken: string) =>
      api.post<{ status: string }>('/api/account/mfa/disable', proof, csrfToken),
  };
}
