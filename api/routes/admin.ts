// Staff routes: finding and viewing accounts (each access to a person's data is
// audited, S-RBAC), changing roles (admin only; the person's sessions end), and checking
// the audit chain.
import { z } from 'zod';
import { ROLES } from '../../domain/accounts.ts';
import { User } from '../../db/entities/index.ts';
import { recordAudit, verifyAuditChain } from '../../platform/audit.ts';
import { caller } from '../auth/access.ts';
import { revokeAllSessions } from '../auth/sessions.ts';
import type { ApiDeps } from '../deps.ts';
import { conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { userView, userViewSchema } from './views.ts';

const idParams = z.object({ id: z.uuid() });

export function adminRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/staff/users',
      summary: 'Find accounts by exact email address or role',
      tags: ['staff'],
      access: ['support', 'legal', 'admin'],
      query: z.object({
        email: z.string().trim().toLowerCase().max(320).optional(),
        role: z.enum(ROLES).optional(),
        limit: z.coerce.number().int().min(1).max(100).default(25),
      }),
      response: z.object({ users: z.array(userViewSchema) }),
      handler: async ({ query, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const users = await em.find(
          User,
          {
            ...(query.email ? { email: query.email } : {}),
            ...(query.role ? { role: query.role } : {}),
            status: { $ne: 'deleted' },
          },
          { limit: query.limit, orderBy: { createdAt: 'desc' } },
        );
        for (const user of users) {
          await recordAudit(em, {
            action: 'staff.viewed_user',
            actorId: staff.id,
            actorRole: staff.role,
            targetType: 'user',
            targetId: user.id,
            subjectUserId: user.id,
            details: { via: 'search' },
          });
        }
        return { users: users.map((u) => userView(u)) };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/staff/users/:id',
      summary: "View an account (the access is recorded in the person's audit trail)",
      tags: ['staff'],
      access: ['support', 'legal', 'admin'],
      params: idParams,
      response: userViewSchema,
      handler: async ({ params, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const user = await em.findOne(User, { id: params.id });
        if (!user) throw notFound('No such account.');
        await recordAudit(em, {
          action: 'staff.viewed_user',
          actorId: staff.id,
          actorRole: staff.role,
          targetType: 'user',
          targetId: user.id,
          subjectUserId: user.id,
        });
        return userView(user);
      },
    }),

    defineRoute({
      method: 'put',
      path: '/api/admin/users/:id/role',
      summary: "Change an account's role; every session of that account ends",
      tags: ['staff'],
      access: ['admin'],
      params: idParams,
      body: z.object({ role: z.enum(ROLES), reason: z.string().trim().min(3).max(500) }),
      response: userViewSchema,
      handler: async ({ params, body, req }) => {
        const admin = caller(req).user;
        if (params.id === admin.id) throw conflict('own_role', 'Ask another admin to change your own role.');
        const em = deps.orm.em.fork();
        const user = await em.findOne(User, { id: params.id, status: { $ne: 'deleted' } });
        if (!user) throw notFound('No such account.');
        const from = user.role;
        if (from !== body.role) {
          user.role = body.role;
          user.updatedAt = new Date();
          await em.flush();
          const revoked = await revokeAllSessions(em, user.id);
          await recordAudit(em, {
            action: 'staff.role_changed',
            actorId: admin.id,
            actorRole: admin.role,
            targetType: 'user',
            targetId: user.id,
            subjectUserId: user.id,
            details: { from, to: body.role, reason: body.reason, revokedSessions: revoked },
          });
        }
        return userView(user);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/admin/audit/verify',
      summary: 'Check the whole audit chain; names the first edited or removed event',
      tags: ['staff'],
      access: ['legal', 'admin'],
      response: z.object({
        ok: z.boolean(),
        events: z.number(),
        brokenAtId: z.string().optional(),
        reason: z.string().optional(),
      }),
      handler: async ({ req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const result = await verifyAuditChain(em);
        await recordAudit(em, {
          action: 'staff.audit_verified',
          actorId: staff.id,
          actorRole: staff.role,
          details: { ok: result.ok, events: result.events },
        });
        return result;
      },
    }),
  ];
}
