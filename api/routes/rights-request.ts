// A person's rights requests over HTTP (D-ACCESS, D-PORT, D-ERASE, D-RECTIFY,
// D-RESTRICT, D-OBJECT, D-CONSENT, D-VERIFY, D-CLOCK): make one, confirm it with the
// emailed code, ask for a new code, follow it (status, deadline, days left, each step,
// read from the database alone), cancel it while nothing has started. Rights are never
// held hostage to a policy change (a refusal is itself a right): every route here is
// exempt from the policy gate.
import {
  createRequestBody,
  requestIdParams,
  myRequestQuery,
  requestList,
  requestView,
  verifyRequestBody,
} from '../../domain/contracts/rights-request.ts';
import {
  VERIFICATION_CODE_DIGITS,
  VERIFICATION_CODE_TTL_MS,
  VERIFICATION_MAX_ATTEMPTS,
} from '../../domain/rights-request.ts';
import { MINUTE } from '../../domain/time.ts';
import {
  cancelRightsRequest,
  createRightsRequest,
  resendVerificationCode,
  verifyRightsRequest,
} from '../../use-cases/rights-request.ts';
import { getMyRequest, listMyRequests } from '../../use-cases/rights-request-view.ts';
import { caller } from '../auth/access.ts';
import { MAIL_UNAVAILABLE, defineRoute } from '../route.ts';

const OWNER = { tags: ['privacy'], access: 'signed-in' as const, policyExempt: true as const };

export const rightsRequestRoutes = [
  defineRoute({
    ...OWNER,
    method: 'post',
    path: '/api/privacy/requests',
    summary:
      'Make a rights request (access, portability, deletion, rectification, restriction, objection, consent withdrawal); a 6-digit code is emailed to confirm it',
    rateLimit: 'verification',
    status: 201,
    body: createRequestBody,
    response: requestView,
    errors: [
      { status: 409, code: 'deletion_already_requested', when: 'the account deletion is already requested' },
      {
        status: 429,
        code: 'ccpa_limit_reached',
        when: 'California access requests are limited to two per 12 months',
      },
      MAIL_UNAVAILABLE,
    ],
    handler: ({ deps, body, req }) => createRightsRequest(deps, caller(req).user, body),
  }),

  defineRoute({
    ...OWNER,
    method: 'get',
    path: '/api/privacy/requests',
    summary: 'My rights requests, newest first, a page at a time, with their deadlines and steps',
    query: myRequestQuery,
    response: requestList,
    handler: ({ deps, query, req }) => listMyRequests(deps, caller(req).user, query),
  }),

  defineRoute({
    ...OWNER,
    method: 'get',
    path: '/api/privacy/requests/:id',
    summary: 'One of my requests: status, deadline, days left and each step of its workflow',
    params: requestIdParams,
    response: requestView,
    handler: ({ deps, params, req }) => getMyRequest(deps, caller(req).user, params.id),
  }),

  defineRoute({
    ...OWNER,
    method: 'post',
    path: '/api/privacy/requests/:id/verify',
    summary: `Confirm my request with the emailed ${VERIFICATION_CODE_DIGITS}-digit code (${VERIFICATION_MAX_ATTEMPTS} tries, ${VERIFICATION_CODE_TTL_MS / MINUTE} minutes); the deadline starts now`,
    rateLimit: 'verification',
    params: requestIdParams,
    body: verifyRequestBody,
    response: requestView,
    errors: [
      { status: 400, code: 'invalid_code', when: 'the code is wrong' },
      { status: 400, code: 'code_expired', when: 'the code expired; ask for a new one' },
      { status: 400, code: 'code_void', when: 'too many wrong tries; ask for a new code' },
      { status: 409, code: 'not_awaiting_verification', when: 'the request is not waiting for its code' },
    ],
    handler: ({ deps, params, body, req }) =>
      verifyRightsRequest(deps, caller(req).user, params.id, body.code),
  }),

  defineRoute({
    ...OWNER,
    method: 'post',
    path: '/api/privacy/requests/:id/code',
    summary: 'Email me a new code for this request (the old one stops working)',
    rateLimit: 'verification',
    params: requestIdParams,
    response: requestView,
    errors: [
      { status: 409, code: 'not_awaiting_verification', when: 'the request is not waiting for its code' },
      MAIL_UNAVAILABLE,
    ],
    handler: ({ deps, params, req }) => resendVerificationCode(deps, caller(req).user, params.id),
  }),

  defineRoute({
    ...OWNER,
    method: 'post',
    path: '/api/privacy/requests/:id/cancel',
    summary: 'Cancel my request while nothing has started (a deletion: until the deletion begins)',
    params: requestIdParams,
    response: requestView,
    errors: [{ status: 409, code: 'not_cancellable', when: 'the request can no longer be cancelled' }],
    handler: ({ deps, params, req }) => cancelRightsRequest(deps, caller(req).user, params.id),
  }),
];
