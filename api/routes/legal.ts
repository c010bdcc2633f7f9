// The legal team's holds (R-HOLD): a hold on a person or on one file suspends every
// deletion it covers. Placing and releasing are recorded with their reasons and audited,
// and every affected retention workflow is told at once (a user hold covers the files
// that person stores while it lasts as well: their workflows read the holds on start).
import { z } from 'zod';
import { Asset, LegalHold, User } from '../../db/entities/index.ts';
import { LIVE_ASSET_STATUSES } from '../../domain/storage.ts';
import { signalDeletionHoldChange } from '../../activities/privacy/start.ts';
import { signalLegalHold } from '../../activities/storage/retention.ts';
import { recordAudit } from '../../platform/audit.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

const HOLD_ROLES = ['legal', 'admin'] as const;

const reasonSchema = z.string().trim().min(3).max(2000);

export const legalHoldViewSchema = z.object({
  id: z.uuid(),
  scope: z.enum(['user', 'asset']),
  userId: z.uuid().nullable(),
  assetId: z.uuid().nullable(),
  reason: z.string(),
  placedBy: z.uuid(),
  placedAt: z.string(),
  active: z.boolean(),
  releasedBy: z.uuid().nullable(),
  releasedAt: z.string().nullable(),
  releaseReason: z.string().nullable(),
});

function holdView(hold: LegalHold): z.infer<typeof legalHoldViewSchema> {
  return {
    id: hold.id,
    scope: hold.assetId ? 'asset' : 'user',
    userId: hold.userId ?? null,
    assetId: hold.assetId ?? null,
    reason: hold.reason,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt.toISOString(),
    active: !hold.releasedAt,
    releasedBy: hold.releasedBy ?? null,
    releasedAt: hold.releasedAt ? hold.releasedAt.toISOString() : null,
    releaseReason: hold.releaseReason ?? null,
  };
}

export function legalHoldRoutes(deps: ApiDeps) {
  /** The assets whose deletion a hold affects: every live file of the person, or the one file. */
  async function coveredAssetIds(hold: LegalHold): Promise<string[]> {
    const em = deps.orm.em.fork();
    const where = hold.assetId ? { id: hold.assetId } : { user: hold.userId! };
    const assets = await em.find(
      Asset,
      { ...where, status: { $in: [...LIVE_ASSET_STATUSES] } },
      { fields: ['id'] },
    );
    return assets.map((a) => a.id);
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/legal/holds',
      summary: 'Place a legal hold on a person (all their files) or on one file, with a reason',
      tags: ['legal'],
      access: HOLD_ROLES,
      status: 201,
      body: z
        .object({ userId: z.uuid().optional(), assetId: z.uuid().optional(), reason: reasonSchema })
        .strict()
        .refine((b) => (b.userId ? 1 : 0) + (b.assetId ? 1 : 0) === 1, {
          message: 'Give either userId or assetId.',
          path: ['userId'],
        }),
      response: legalHoldViewSchema.extend({ workflowsSignalled: z.number() }),
      handler: async ({ body, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        let subjectUserId: string | null;
        if (body.assetId) {
          const asset = await em.findOne(Asset, { id: body.assetId });
          if (!asset) throw notFound('No such file.');
          if (asset.status === 'deleted') throw conflict('asset_deleted', 'This file is already deleted.');
          subjectUserId = asset.user ?? null;
        } else {
          const user = await em.findOne(User, { id: body.userId! });
          if (!user) throw notFound('No such account.');
          subjectUserId = user.id;
        }
        const hold = em.create(LegalHold, {
          userId: body.userId ?? null,
          assetId: body.assetId ?? null,
          reason: body.reason,
          placedBy: staff.id,
          placedAt: new Date(),
        });
        await em.flush();
        await recordAudit(em, {
          action: 'legal.hold_placed',
          actorId: staff.id,
          actorRole: staff.role,
          targetType: 'legal_hold',
          targetId: hold.id,
          subjectUserId,
          details: { scope: body.assetId ? 'asset' : 'user', assetId: body.assetId ?? null },
        });
        // Committed before signalling: a workflow that re-reads the holds finds this one.
        const signalled = await signalLegalHold(
          deps.temporal.client,
          await coveredAssetIds(hold),
          hold.id,
          'placed',
        );
        // An account deletion of the person pauses too (R-HOLD); one that is not running ignores it.
        await signalDeletionHoldChange(deps.temporal.client, subjectUserId);
        return { ...holdView(hold), workflowsSignalled: signalled };
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/legal/holds/:id/release',
      summary: 'Release a legal hold, with a reason; deletions it deferred resume',
      tags: ['legal'],
      access: HOLD_ROLES,
      params: z.object({ id: z.uuid() }),
      body: z.object({ reason: reasonSchema }).strict(),
      response: legalHoldViewSchema.extend({ workflowsSignalled: z.number() }),
      handler: async ({ params, body, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const existing = await em.findOne(LegalHold, { id: params.id });
        if (!existing) throw notFound('No such legal hold.');
        const released = await em.nativeUpdate(
          LegalHold,
          { id: params.id, releasedAt: null },
          { releasedAt: new Date(), releasedBy: staff.id, releaseReason: body.reason },
        );
        if (released === 0) throw conflict('hold_released', 'This legal hold is already released.');
        const hold = await deps.orm.em.fork().findOneOrFail(LegalHold, { id: params.id });
        let subjectUserId = hold.userId ?? null;
        if (hold.assetId) {
          const asset = await em.findOne(Asset, { id: hold.assetId }, { fields: ['user'] });
          subjectUserId = asset?.user ?? null;
        }
        await recordAudit(em, {
          action: 'legal.hold_released',
          actorId: staff.id,
          actorRole: staff.role,
          targetType: 'legal_hold',
          targetId: hold.id,
          subjectUserId,
          details: { scope: hold.assetId ? 'asset' : 'user', assetId: hold.assetId ?? null },
        });
        const signalled = await signalLegalHold(
          deps.temporal.client,
          await coveredAssetIds(hold),
          hold.id,
          'released',
        );
        // A deletion of the person paused by this hold resumes (R-HOLD).
        await signalDeletionHoldChange(deps.temporal.client, subjectUserId);
        return { ...holdView(hold), workflowsSignalled: signalled };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/legal/holds',
      summary: 'Legal holds, newest first; filter by person, file or whether active',
      tags: ['legal'],
      access: HOLD_ROLES,
      query: z.object({
        userId: z.uuid().optional(),
        assetId: z.uuid().optional(),
        active: z.enum(['true', 'false']).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({ holds: z.array(legalHoldViewSchema) }),
      handler: async ({ query }) => {
        if (query.userId && query.assetId) throw badRequest('Filter by userId or assetId, not both.');
        const holds = await deps.orm.em.fork().find(
          LegalHold,
          {
            ...(query.userId ? { userId: query.userId } : {}),
            ...(query.assetId ? { assetId: query.assetId } : {}),
            ...(query.active === 'true' ? { releasedAt: null } : {}),
            ...(query.active === 'false' ? { releasedAt: { $ne: null } } : {}),
          },
          { orderBy: { placedAt: 'desc', id: 'desc' }, limit: query.limit },
        );
        return { holds: holds.map(holdView) };
      },
    }),
  ];
}
