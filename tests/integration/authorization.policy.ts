// The intended access to every API route, written by hand (see authorization.test.ts).
// Adding a route means adding its line here, deciding on purpose who may call it.
import { randomUUID } from 'node:crypto';
import type { Role } from '../../domain/accounts.ts';

export type Caller =
  | 'anonymous'
  | 'creator'
  | 'otherCreator'
  | 'unverified'
  | 'pendingMinor'
  | 'support'
  | 'legal'
  | 'operator'
  | 'admin'
  | 'adminWithoutMfa';

export interface Intended {
  allow: 'public' | 'session' | 'signed-in' | 'verified' | Role[];
  /**
   * The route's first parameter (:id) is this record of the owner (`creator`); anybody
   * else must get 404. Further parameters are the owner's records named like them.
   */
  ownerRecord?: 'session' | 'user' | string;
  /** A body that passes access checks but fails validation, so nothing changes. */
  probeBody?: unknown;
  /** 404 is a legitimate answer for a permitted caller (a feature not configured in the walk). */
  mayBeNotConfigured?: true;
}

const STAFF_VIEWERS: Role[] = ['support', 'legal', 'admin'];

/** The owner's script project has this scene, so a probe that keeps it changes nothing else. */
export const WALK_SCENE_ID = randomUUID();

export const ACCESS_POLICY: Record<string, Intended> = {
  'GET /healthz': { allow: 'public' },
  'GET /readyz': { allow: 'public' },

  'GET /api/auth/session': { allow: 'public' },
  'POST /api/auth/sign-up': { allow: 'public' },
  'POST /api/auth/verify-email': { allow: 'public' },
  'POST /api/auth/resend-verification': { allow: 'public' },
  'POST /api/auth/sign-in': { allow: 'public' },
  'POST /api/auth/sign-out': { allow: 'session' },
  'POST /api/auth/sign-out-everywhere': { allow: 'session' },
  'POST /api/auth/password-reset/request': { allow: 'public' },
  'POST /api/auth/password-reset/confirm': { allow: 'public' },
  'POST /api/auth/parental-consent/confirm': { allow: 'public' },
  'POST /api/auth/mfa/verify': { allow: 'session' },
  'GET /api/auth/providers': { allow: 'public' },
  'GET /api/auth/google/start': { allow: 'public', mayBeNotConfigured: true },
  'GET /api/auth/google/callback': { allow: 'public', mayBeNotConfigured: true },
  'POST /api/auth/google/complete': { allow: 'public' },

  'GET /api/account': { allow: 'session' },
  'PATCH /api/account': { allow: 'signed-in', probeBody: { name: '' } },
  'PUT /api/account/preferences': { allow: 'signed-in', probeBody: { theme: 'neon' } },
  'POST /api/account/password': { allow: 'signed-in' },
  'GET /api/account/sessions': { allow: 'session' },
  'DELETE /api/account/sessions/:id': { allow: 'session', ownerRecord: 'session' },
  'POST /api/account/mfa/setup': { allow: 'signed-in' },
  'POST /api/account/mfa/enable': { allow: 'signed-in' },
  'POST /api/account/mfa/disable': { allow: 'signed-in' },

  'GET /api/staff/users': { allow: STAFF_VIEWERS },
  'GET /api/staff/users/:id': { allow: STAFF_VIEWERS, ownerRecord: 'user' },
  'PUT /api/admin/users/:id/role': { allow: ['admin'], ownerRecord: 'user' },
  'GET /api/admin/audit/verify': { allow: ['legal', 'admin'] },

  'GET /api/models': { allow: 'public' },
  'POST /api/quotes': { allow: 'verified' },
  'POST /api/jobs': { allow: 'verified' },
  'GET /api/jobs': { allow: 'signed-in' },
  'GET /api/jobs/:id': { allow: 'signed-in', ownerRecord: 'job' },
  'GET /api/jobs/:id/events': { allow: 'signed-in', ownerRecord: 'job' },
  'POST /api/jobs/:id/cancel': { allow: 'signed-in', ownerRecord: 'job' },
  'GET /api/jobs/:id/revisions': { allow: 'signed-in', ownerRecord: 'job' },
  'GET /api/ops/jobs/:id': { allow: ['operator', 'admin'], ownerRecord: 'job' },
  'GET /api/credits': { allow: 'signed-in' },
  'GET /api/moderation/queue': { allow: ['support', 'admin'] },
  'POST /api/moderation/jobs/:id/decision': { allow: ['support', 'admin'], ownerRecord: 'job' },
  'POST /api/moderation/uploads/:id/decision': { allow: ['support', 'admin'], ownerRecord: 'asset' },
  'GET /api/moderation/reviews/:id/media': { allow: ['support', 'admin'], ownerRecord: 'moderationReview' },
  'POST /api/jobs/:id/review-request': { allow: 'verified', ownerRecord: 'job' },
  'POST /api/assets/:id/review-request': { allow: 'verified', ownerRecord: 'asset' },

  // Take-downs (S-TAKEDOWN) and breach incidents (S-BREACH).
  'POST /api/takedowns': { allow: 'public', probeBody: { reason: 'copyright' } },
  // Only the owner of the content taken down may read it; a creator's unknown id answers 404.
  'GET /api/takedowns/:id': { allow: 'signed-in', ownerRecord: 'takedown' },
  // A valid answer to a closed take-down: the owner gets 409, anybody else 404; nothing changes.
  'POST /api/takedowns/:id/answer': {
    allow: 'signed-in',
    ownerRecord: 'takedown',
    probeBody: { answer: 'walk answer' },
  },
  'GET /api/legal/takedowns': { allow: ['legal', 'admin'] },
  'GET /api/legal/takedowns/:id': { allow: ['legal', 'admin'], ownerRecord: 'takedown' },
  'POST /api/legal/takedowns/:id/decision': { allow: ['legal', 'admin'], ownerRecord: 'takedown' },
  'POST /api/legal/incidents': { allow: ['legal', 'admin'] },
  'GET /api/legal/incidents': { allow: ['legal', 'admin'] },
  'GET /api/legal/incidents/:id': { allow: ['legal', 'admin'], ownerRecord: 'incident' },
  'POST /api/legal/incidents/:id/authority-notified': { allow: ['legal', 'admin'], ownerRecord: 'incident' },
  'POST /api/webhooks/providers/:provider/:jobId': { allow: 'public', mayBeNotConfigured: true },
  'GET /api/consents': { allow: 'public' },
  'PUT /api/consents': { allow: 'public' },
  'POST /api/analytics/events': { allow: 'public' },

  // Script projects (api/routes/script.ts): probes that pass validation, so the owner
  // check decides for others; for the owner they change nothing that matters.
  'POST /api/scripts/files': { allow: 'verified' },
  'POST /api/scripts': { allow: 'verified' },
  'GET /api/scripts': { allow: 'signed-in' },
  'GET /api/scripts/:id': { allow: 'signed-in', ownerRecord: 'scriptProject' },
  'PATCH /api/scripts/:id': { allow: 'verified', ownerRecord: 'scriptProject' },
  // No language model is configured in the walk: the owner is told so, nothing is split.
  'POST /api/scripts/:id/split': {
    allow: 'verified',
    ownerRecord: 'scriptProject',
    probeBody: { method: 'llm' },
  },
  'PUT /api/scripts/:id/scenes': {
    allow: 'verified',
    ownerRecord: 'scriptProject',
    probeBody: { scenes: [{ id: WALK_SCENE_ID, text: 'walk', durationSeconds: 2, modelId: 'local-v1' }] },
  },
  'PATCH /api/scripts/:id/scenes/:sceneId': { allow: 'verified', ownerRecord: 'scriptProject' },
  'POST /api/scripts/:id/quote': { allow: 'verified', ownerRecord: 'scriptProject' },
  // Without an Idempotency-Key the owner's run is refused: nothing is charged.
  'POST /api/scripts/:id/runs': {
    allow: 'verified',
    ownerRecord: 'scriptProject',
    probeBody: { quoteHash: 'walk' },
  },
  'POST /api/scripts/:id/cancel': { allow: 'signed-in', ownerRecord: 'scriptProject' },
  'GET /api/scripts/:id/events': { allow: 'signed-in', ownerRecord: 'scriptProject' },
  'GET /api/scripts/:id/revisions': { allow: 'signed-in', ownerRecord: 'scriptProject' },
  'GET /api/scripts/:id/revisions/:number': { allow: 'signed-in', ownerRecord: 'scriptProject' },
  'GET /api/scripts/:id/compare': { allow: 'signed-in', ownerRecord: 'scriptProject' },

  'POST /api/assets': { allow: 'verified' },
  'GET /api/assets': { allow: 'verified' },
  'GET /api/assets/:id': { allow: 'verified', ownerRecord: 'asset' },
  'GET /api/assets/:id/download': { allow: 'verified', ownerRecord: 'asset' },
  'DELETE /api/assets/:id': { allow: 'verified', ownerRecord: 'asset' },
  'GET /api/ops/assets/:id': { allow: ['operator', 'admin'], ownerRecord: 'asset' },
  'POST /api/legal/holds': { allow: ['legal', 'admin'] },
  'POST /api/legal/holds/:id/release': { allow: ['legal', 'admin'], ownerRecord: 'legalHold' },
  'GET /api/legal/holds': { allow: ['legal', 'admin'] },

  // Data rights (api/routes/rights-request.ts, rights-request-legal.ts, account-deletion.ts, consent.ts, policy.ts).
  'POST /api/privacy/requests': { allow: 'signed-in' },
  'GET /api/privacy/requests': { allow: 'signed-in' },
  'GET /api/privacy/requests/:id': { allow: 'signed-in', ownerRecord: 'privacyRequest' },
  // A well-formed (wrong) code, so the owner check, not validation, decides for others.
  'POST /api/privacy/requests/:id/verify': {
    allow: 'signed-in',
    ownerRecord: 'privacyRequest',
    probeBody: { code: '000000' },
  },
  'POST /api/privacy/requests/:id/code': { allow: 'signed-in', ownerRecord: 'privacyRequest' },
  'POST /api/privacy/requests/:id/cancel': { allow: 'signed-in', ownerRecord: 'privacyRequest' },
  // Public: the signed link is the authorization (the account may be gone).
  'GET /api/privacy/requests/:id/certificate': { allow: 'public', ownerRecord: 'privacyRequest' },
  'GET /api/privacy/settings': { allow: 'signed-in' },
  'PUT /api/privacy/restriction': { allow: 'signed-in' },
  'PUT /api/privacy/objection': { allow: 'signed-in' },
  'GET /api/privacy/policy': { allow: 'public' },
  'POST /api/privacy/policy/accept': { allow: 'signed-in' },
  'GET /api/privacy/unsubscribe': { allow: 'public' },
  'POST /api/privacy/unsubscribe': { allow: 'public' },
  'GET /api/legal/requests': { allow: ['legal', 'admin'] },
  'GET /api/legal/requests/:id': { allow: ['legal', 'admin'], ownerRecord: 'privacyRequest' },
  'POST /api/legal/requests/:id/extend': { allow: ['legal', 'admin'], ownerRecord: 'privacyRequest' },
  'GET /api/legal/requests/:id/audit': { allow: ['legal', 'admin'], ownerRecord: 'privacyRequest' },
  'GET /api/legal/requests/:id/certificate': { allow: ['legal', 'admin'], ownerRecord: 'certifiedRequest' },
  'GET /api/legal/certificates': { allow: ['legal', 'admin'] },
  'POST /api/legal/policy-versions': { allow: ['legal', 'admin'] },
  'POST /api/staff/users/:id/minor': { allow: ['support', 'legal', 'admin'], ownerRecord: 'user' },
  'POST /api/admin/marketing/campaigns': { allow: ['admin'] },
  'GET /api/admin/marketing/campaigns': { allow: ['admin'] },

  'GET /api/billing/packs': { allow: 'public' },
  'POST /api/billing/checkout': { allow: 'verified' },
  'POST /api/webhooks/stripe': { allow: 'public' },
  'GET /api/billing/payments': { allow: 'signed-in' },
  'GET /api/billing/invoices': { allow: 'signed-in' },
  'GET /api/billing/payments/:id': { allow: 'signed-in', ownerRecord: 'payment' },
  'GET /api/billing/plans': { allow: 'public' },
  'GET /api/billing/subscription': { allow: 'signed-in' },
  'POST /api/billing/subscription': { allow: 'verified' },
  'POST /api/billing/subscription/plan': { allow: 'signed-in' },
  'POST /api/billing/subscription/cancel': { allow: 'signed-in' },
  'POST /api/billing/portal': { allow: 'signed-in' },

  'POST /api/support/tickets': { allow: 'signed-in' },
  'GET /api/support/tickets': { allow: 'signed-in' },
  'GET /api/support/tickets/:id': { allow: 'signed-in', ownerRecord: 'supportTicket' },
  // A well-formed message, so the owner check, not validation, decides for others.
  'POST /api/support/tickets/:id/messages': {
    allow: 'signed-in',
    ownerRecord: 'supportTicket',
    probeBody: { body: 'authorization walk' },
  },
  'POST /api/support/tickets/:id/close': { allow: 'signed-in', ownerRecord: 'supportTicket' },
  'GET /api/support/queue': { allow: ['support', 'admin'] },
  'GET /api/support/queue/:id': { allow: ['support', 'admin'], ownerRecord: 'supportTicket' },
  'POST /api/support/queue/:id/assign': { allow: ['support', 'admin'], ownerRecord: 'supportTicket' },
  'POST /api/support/queue/:id/replies': { allow: ['support', 'admin'], ownerRecord: 'supportTicket' },
  'POST /api/support/queue/:id/close': { allow: ['support', 'admin'], ownerRecord: 'supportTicket' },
  'GET /api/support/queue/:id/attachment': { allow: ['support', 'admin'], ownerRecord: 'supportTicket' },

  'POST /api/ops/diagnostics': { allow: ['operator', 'admin'] },
  'GET /api/ops/diagnostics/:id': {
    allow: ['operator', 'admin'],
    ownerRecord: 'user',
    mayBeNotConfigured: true,
  },
};
