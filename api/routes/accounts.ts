// Accounts over HTTP: sign-up with the age gate (D-MINOR), the emailed links, sign-in with
// progressive lock-out (S-RATE), the MFA step (S-MFA), sign-out here or everywhere, and
// the signed-in person's own account: corrections (D-RECTIFY), preferences, password,
// sessions, two-factor authentication. The rules are in use-cases/accounts.ts and
// use-cases/accounts-settings.ts; here the session cookie and the CSRF token are handed
// over.
import {
  accepted,
  accountChange,
  emailBody,
  idParams,
  mfaCode,
  mfaEnabled,
  mfaProof,
  mfaSetup,
  passwordChange,
  passwordResetBody,
  preferences,
  sessionAnswer,
  sessionList,
  signInBody,
  signUpBody,
  statusAnswer,
  tokenBody,
  userView as userViewSchema,
} from '../../domain/contracts/accounts.ts';
import {
  confirmParentalConsent,
  passMfa,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  signIn,
  signOut,
  signOutEverywhere,
  signUp,
  userView,
  verifyEmail,
} from '../../use-cases/accounts.ts';
import {
  changePassword,
  correctAccount,
  disableMfa,
  enableMfa,
  endMySession,
  mySessions,
  setPreferences,
  setUpMfa,
} from '../../use-cases/accounts-settings.ts';
import { caller } from '../auth/access.ts';
import { clearSessionCookie, enterSession, sessionOrigin } from '../auth/sessions.ts';
import { defineRoute } from '../route.ts';

const signingIn = [
  defineRoute({
    method: 'get',
    path: '/api/auth/session',
    summary: 'Who is signed in (null when nobody), with a CSRF token for the next change',
    tags: ['accounts'],
    access: 'public',
    response: sessionAnswer,
    handler: ({ deps, req, res }) => ({
      user: req.auth ? userView(req.auth.user, req.auth.session) : null,
      csrfToken: deps.csrf.issue(req, res),
    }),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/sign-up',
    summary: 'Create an account (age gate: under 13 refused, 13 to 17 need a parent to confirm)',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'signUp',
    status: 202,
    body: signUpBody,
    response: accepted,
    errors: [{ status: 403, code: 'age_requirement', when: 'the person is under 13 (nothing is stored)' }],
    handler: ({ deps, body }) => signUp(deps, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/verify-email',
    summary: 'Confirm an email address with the emailed token',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'verification',
    body: tokenBody,
    response: accepted,
    errors: [{ status: 400, code: 'invalid_token', when: 'the link is invalid, used or expired' }],
    handler: ({ deps, body }) => verifyEmail(deps, body.token),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/resend-verification',
    summary: 'Send the verification email again',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'verification',
    status: 202,
    body: emailBody,
    response: accepted,
    handler: ({ deps, body }) => resendVerification(deps, body.email),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/sign-in',
    summary: 'Sign in with email and password; repeated failures lock the address for a while',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'signIn',
    body: signInBody,
    response: sessionAnswer,
    errors: [
      { status: 401, code: 'invalid_credentials', when: 'the email and password do not match' },
      { status: 429, code: 'sign_in_locked', when: 'too many failures for this address; see Retry-After' },
    ],
    handler: async ({ deps, body, req, res }) =>
      enterSession(deps, req, res, await signIn(deps, body, sessionOrigin(req))),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/sign-out',
    summary: 'Sign out this browser',
    tags: ['accounts'],
    access: 'session',
    response: accepted,
    handler: async ({ deps, req, res }) => {
      const answer = await signOut(deps, caller(req));
      clearSessionCookie(deps, res);
      return answer;
    },
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/sign-out-everywhere',
    summary: 'Sign out every browser and device signed in to this account',
    tags: ['accounts'],
    access: 'session',
    response: accepted,
    handler: async ({ deps, req, res }) => {
      const answer = await signOutEverywhere(deps, caller(req));
      clearSessionCookie(deps, res);
      return answer;
    },
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/password-reset/request',
    summary: 'Email a password reset link (same answer whether or not the address is registered)',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'passwordReset',
    status: 202,
    body: emailBody,
    response: accepted,
    handler: ({ deps, body }) => requestPasswordReset(deps, body.email),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/password-reset/confirm',
    summary: 'Choose a new password with the emailed token; signs out every session',
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'passwordReset',
    body: passwordResetBody,
    response: accepted,
    errors: [{ status: 400, code: 'invalid_token', when: 'the link is invalid, used or expired' }],
    handler: ({ deps, body }) => resetPassword(deps, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/parental-consent/confirm',
    summary: "A parent or guardian confirms a minor's account with the emailed token (D-MINOR)",
    tags: ['accounts'],
    access: 'public',
    rateLimit: 'verification',
    body: tokenBody,
    response: accepted,
    errors: [
      { status: 400, code: 'invalid_token', when: 'the link is invalid, used or expired' },
      { status: 409, code: 'not_pending', when: 'the account no longer waits for consent' },
    ],
    handler: ({ deps, body }) => confirmParentalConsent(deps, body.token),
  }),

  defineRoute({
    method: 'post',
    path: '/api/auth/mfa/verify',
    summary: 'Pass two-factor authentication for this session with a TOTP code or a recovery code',
    tags: ['accounts'],
    access: 'session',
    rateLimit: 'mfa',
    body: mfaProof,
    response: sessionAnswer,
    errors: [
      { status: 401, code: 'invalid_code', when: 'the code is wrong or already used' },
      { status: 409, code: 'mfa_not_enabled', when: 'the account has no two-factor authentication' },
    ],
    handler: async ({ deps, body, req, res }) =>
      enterSession(deps, req, res, await passMfa(deps, caller(req), body, sessionOrigin(req))),
  }),
];

const ownAccount = [
  defineRoute({
    method: 'get',
    path: '/api/account',
    summary: 'My account',
    tags: ['accounts'],
    access: 'session',
    response: userViewSchema,
    handler: ({ req }) => userView(caller(req).user, caller(req).session),
  }),

  defineRoute({
    method: 'patch',
    path: '/api/account',
    summary: 'Correct my name or email address (D-RECTIFY); a new address must be confirmed again',
    tags: ['accounts'],
    access: 'signed-in',
    body: accountChange,
    response: userViewSchema,
    errors: [{ status: 409, code: 'email_unavailable', when: 'the address cannot be used' }],
    handler: ({ deps, body, req }) => correctAccount(deps, caller(req), body),
  }),

  defineRoute({
    method: 'put',
    path: '/api/account/preferences',
    summary: 'Set my language, theme and default generation settings',
    tags: ['accounts'],
    access: 'signed-in',
    body: preferences,
    response: userViewSchema,
    handler: ({ deps, body, req }) => setPreferences(deps, caller(req), body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/account/password',
    summary: 'Change my password; other sessions are signed out',
    tags: ['accounts'],
    access: 'signed-in',
    body: passwordChange,
    response: accepted,
    handler: ({ deps, body, req }) => changePassword(deps, caller(req), body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/account/sessions',
    summary: 'Where I am signed in',
    tags: ['accounts'],
    access: 'session',
    response: sessionList,
    handler: ({ deps, req }) => mySessions(deps, caller(req)),
  }),

  defineRoute({
    method: 'delete',
    path: '/api/account/sessions/:id',
    summary: 'Sign out one of my sessions',
    tags: ['accounts'],
    access: 'session',
    params: idParams,
    status: 200,
    response: statusAnswer,
    handler: ({ deps, params, req }) => endMySession(deps, caller(req), params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/account/mfa/setup',
    summary: 'Start setting up two-factor authentication: a new authenticator seed',
    tags: ['accounts'],
    access: 'signed-in',
    response: mfaSetup,
    errors: [{ status: 409, code: 'mfa_enabled', when: 'two-factor authentication is already on' }],
    handler: ({ deps, req }) => setUpMfa(deps, caller(req)),
  }),

  defineRoute({
    method: 'post',
    path: '/api/account/mfa/enable',
    summary: 'Turn two-factor authentication on with a code from the new seed; returns recovery codes once',
    tags: ['accounts'],
    access: 'signed-in',
    rateLimit: 'mfa',
    body: mfaCode,
    response: mfaEnabled,
    errors: [
      { status: 401, code: 'invalid_code', when: 'the code does not match the new seed' },
      { status: 409, code: 'mfa_enabled', when: 'two-factor authentication is already on' },
      { status: 409, code: 'mfa_not_set_up', when: 'no set-up was started' },
    ],
    handler: async ({ deps, body, req, res }) => {
      const { recoveryCodes, started } = await enableMfa(deps, caller(req), body, sessionOrigin(req));
      return { recoveryCodes, csrfToken: enterSession(deps, req, res, started).csrfToken };
    },
  }),

  defineRoute({
    method: 'post',
    path: '/api/account/mfa/disable',
    summary: 'Turn two-factor authentication off (staff lose staff access until it is on again)',
    tags: ['accounts'],
    access: 'signed-in',
    rateLimit: 'mfa',
    body: mfaProof,
    response: statusAnswer,
    errors: [
      { status: 401, code: 'invalid_code', when: 'the code is wrong or already used' },
      { status: 409, code: 'mfa_not_enabled', when: 'two-factor authentication is off' },
    ],
    handler: ({ deps, body, req }) => disableMfa(deps, caller(req), body),
  }),
];

export const accountsRoutes = [...signingIn, ...ownAccount];
