// Account deletion over HTTP beyond the request itself (D-ERASE, R-PROOF, D-MINOR): the
// certificate by the signed link emailed when the deletion was done (public: the account
// can no longer sign in), the legal team's certificates, and support's finding of an
// under-age account without parental consent.
import {
  accountParams,
  certificateLinkQuery,
  certificateList,
  certificateListQuery,
  certificateView,
  markMinorBody,
  minorMarked,
} from '../../domain/contracts/account-deletion.ts';
import { requestIdParams } from '../../domain/contracts/rights-request.ts';
import {
  certificateByLink,
  legalCertificate,
  listCertificates,
  markMinor,
} from '../../use-cases/account-deletion.ts';
import { caller } from '../auth/access.ts';
import { MAIL_UNAVAILABLE, defineRoute } from '../route.ts';

export const accountDeletionRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/privacy/requests/:id/certificate',
    summary: 'The certificate of an account deletion, by the signed link emailed when it was done',
    tags: ['privacy'],
    access: 'public',
    params: requestIdParams,
    query: certificateLinkQuery,
    response: certificateView,
    errors: [
      { status: 403, code: 'invalid_link', when: 'the link is invalid or has expired' },
      { status: 409, code: 'certificate_not_ready', when: 'the certificate is still being prepared' },
    ],
    handler: ({ deps, params, query }) => certificateByLink(deps, params.id, query.token),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/requests/:id/certificate',
    summary: 'The deletion certificate of an account deletion request',
    tags: ['legal'],
    access: ['legal', 'admin'],
    params: requestIdParams,
    response: certificateView,
    handler: ({ deps, params }) => legalCertificate(deps, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/certificates',
    summary: 'Deletion certificates, newest first a page at a time',
    tags: ['legal'],
    access: ['legal', 'admin'],
    query: certificateListQuery,
    response: certificateList,
    handler: ({ deps, query }) => listCertificates(deps, query),
  }),

  defineRoute({
    method: 'post',
    path: '/api/staff/users/:id/minor',
    summary:
      'Mark an account as under age without parental consent (D-MINOR): collection stops at once, every session ends, and all its data is deleted',
    tags: ['staff'],
    access: ['support', 'legal', 'admin'],
    params: accountParams,
    status: 202,
    body: markMinorBody,
    response: minorMarked,
    errors: [
      { status: 409, code: 'own_account', when: 'staff cannot act on their own account' },
      MAIL_UNAVAILABLE,
    ],
    handler: ({ deps, params, body, req }) => markMinor(deps, caller(req).user, params.id, body),
  }),
];
