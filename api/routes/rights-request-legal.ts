// The legal team's view of rights requests over HTTP (legal role with MFA; D-CLOCK,
// S-RBAC): every request sorted by days left with its status and steps, one request (the
// access is audited), a deadline extended once with a reason emailed to the person, and
// a request's audit events as JSON.
import {
  extendDeadlineBody,
  legalRequestList,
  legalRequestQuery,
  legalRequestView,
  requestAudit,
  requestIdParams,
} from '../../domain/contracts/rights-request.ts';
import { exportRequestAudit, extendRequestDeadline } from '../../use-cases/rights-request-legal.ts';
import { getLegalRequest, listLegalRequests } from '../../use-cases/rights-request-view.ts';
import { caller } from '../auth/access.ts';
import { MAIL_UNAVAILABLE, defineRoute } from '../route.ts';

const LEGAL = { tags: ['legal'], access: ['legal', 'admin'] as const };

export const rightsRequestLegalRoutes = [
  defineRoute({
    ...LEGAL,
    method: 'get',
    path: '/api/legal/requests',
    summary: 'Rights requests, fewest days left first, with status and each step of their workflows',
    query: legalRequestQuery,
    response: legalRequestList,
    handler: ({ deps, query, req }) => listLegalRequests(deps, caller(req).user, query),
  }),

  defineRoute({
    ...LEGAL,
    method: 'get',
    path: '/api/legal/requests/:id',
    summary: 'One rights request with its deadline and workflow steps (the access is audited)',
    params: requestIdParams,
    response: legalRequestView,
    handler: ({ deps, params, req }) => getLegalRequest(deps, caller(req).user, params.id),
  }),

  defineRoute({
    ...LEGAL,
    method: 'post',
    path: '/api/legal/requests/:id/extend',
    summary:
      'Extend a deadline once, with a reason that is emailed to the person (GDPR: 1-2 months; CCPA: 45 days), within the first period',
    params: requestIdParams,
    body: extendDeadlineBody,
    response: legalRequestView,
    errors: [
      {
        status: 400,
        code: 'invalid_extension',
        when: 'the extension is not allowed for this jurisdiction or length',
      },
      { status: 400, code: 'reason_required', when: 'an extension needs a reason' },
      { status: 409, code: 'not_extendable', when: 'only an open, verified request can be extended' },
      { status: 409, code: 'already_extended', when: 'the deadline was already extended once' },
      { status: 409, code: 'too_late', when: 'the deadline has already passed' },
      MAIL_UNAVAILABLE,
    ],
    handler: ({ deps, params, body, req }) => extendRequestDeadline(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    ...LEGAL,
    method: 'get',
    path: '/api/legal/requests/:id/audit',
    summary: 'The audit events of a request, as JSON (including the file deletions of an account deletion)',
    params: requestIdParams,
    response: requestAudit,
    handler: ({ deps, params, req }) => exportRequestAudit(deps, caller(req).user, params.id),
  }),
];
