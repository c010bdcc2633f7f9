// Staff over accounts (S-RBAC): finding and viewing accounts (each look at a person's
// data is audited), changing roles (admin only; the person's sessions end), and checking
// the audit chain (S-AUDIT). The rules are in use-cases/accounts-settings.ts.
import {
  auditVerification,
  idParams,
  roleChange,
  staffUserQuery,
  userList,
  userView,
} from '../../domain/contracts/accounts.ts';
import { changeRole, checkAuditChain, findAccounts, viewAccount } from '../../use-cases/accounts-settings.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const STAFF_VIEWERS = ['support', 'legal', 'admin'] as const;

export const accountsStaffRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/staff/users',
    summary: 'Find accounts by exact email address or role',
    tags: ['staff'],
    access: STAFF_VIEWERS,
    query: staffUserQuery,
    response: userList,
    handler: ({ deps, query, req }) => findAccounts(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/staff/users/:id',
    summary: "View an account (the access is recorded in the person's audit trail)",
    tags: ['staff'],
    access: STAFF_VIEWERS,
    params: idParams,
    response: userView,
    handler: ({ deps, params, req }) => viewAccount(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'put',
    path: '/api/admin/users/:id/role',
    summary: "Change an account's role; every session of that account ends",
    tags: ['staff'],
    access: ['admin'],
    params: idParams,
    body: roleChange,
    response: userView,
    errors: [{ status: 409, code: 'own_role', when: 'an admin cannot change their own role' }],
    handler: ({ deps, params, body, req }) => changeRole(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/admin/audit/verify',
    summary: 'Check the whole audit chain; names the first edited or removed event',
    tags: ['staff'],
    access: ['legal', 'admin'],
    response: auditVerification,
    handler: ({ deps, req }) => checkAuditChain(deps, caller(req).user),
  }),
];
