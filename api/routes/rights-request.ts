// A person's rights requests over HTTP (D-ACCESS, D-PORT, D-ERASE, D-RECTIFY,
// D-RESTRICT, D-OBJECT, D-CONSENT, D-VERIFY, D-CLOCK): make one, confirm it with the
// emailed code, ask for a new code, follow it (status, deadline, days left, each step,
// read from the database alone), cancel it while nothing has started. Rights are never
// held hostage to a policy change (a refusal is itself a right): every route here is
// exempt from the policy gate.
import {
  createRequestBody,
  requestIdParams,
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
import { defineRoute } from '../route.ts';

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
    handler: ({ deps, body, req }) => createRightsRequest(deps, caller(req).user, body),
  }),

  defineRoute({
    ...OWNER,
    method: 'get',
    path: '/api/privacy/requests',
    summary: 'My rights requests, newest first, with their deadlines and steps',
    response: requestList,
    handler: ({ deps, req }) => listMyRequests(deps, caller(req).user),
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
    handler: ({ deps, params, req }) => resendVerificationCode(deps, caller(req).user, params.id),
  }),

  defineRoute({
    ...OWNER,
    method: 'post',
    path: '/api/privacy/requests/:id/cancel',
    summary: 'Cancel my request while nothing has started (a deletion: until the deletion begins)',
    params: requestIdParams,
    response: requestView,
    handler: ({ deps, params, req }) => cancelRightsRequest(deps, caller(req).user, params.id),
  }),
];
