// A creator's stored files: uploads streamed to S3 (R-IN-30D, R-CRYPTO), short-lived
// download links for the owner only, deletion at any time (R-IN-EARLY) unless a legal
// hold covers the file (R-HOLD), and the operators' view with the retention workflow's
// place in the Temporal Web UI. Other people's assets answer exactly like unknown ones.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Asset, LegalHold } from '../../db/entities/index.ts';
import {
  ASSET_KINDS,
  ASSET_LIST_DEFAULT_LIMIT,
  ASSET_LIST_MAX_LIMIT,
  ASSET_STATUSES,
  DELETION_REASONS,
  DOWNLOAD_URL_TTL_SECONDS,
  RETENTION_STATUSES,
  assetDeleteAt,
  assetObjectKey,
} from '../../domain/storage.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { activeHoldIds } from '../../activities/storage/holds.ts';
import { deleteObjectQuietly, presignDownload } from '../../activities/storage/objects.ts';
import { requestAssetDeletion, startAssetRetention } from '../../activities/storage/retention.ts';
import { recordAudit } from '../../platform/audit.ts';
import { retentionStateQuery, type AssetRetentionState } from '../../workflows/retention.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import { checkUploadRequest, receiveUpload, storageUnavailable } from '../storage/upload.ts';
import { workflowUiUrl } from './ops.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export const assetViewSchema = z.object({
  id: z.uuid(),
  kind: z.enum(ASSET_KINDS),
  status: z.enum(ASSET_STATUSES),
  contentType: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  sha256: z.string().nullable(),
  createdAt: z.string(),
  storedAt: z.string().nullable(),
  deleteAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  deletionReason: z.enum(DELETION_REASONS).nullable(),
  /** The job that made this video (outputs), for the library's links. */
  jobId: z.uuid().nullable(),
  /** A legal hold keeps this file; its reason is not shown to the owner. */
  legalHold: z.boolean(),
});

export function assetView(asset: Asset, legalHold: boolean): z.infer<typeof assetViewSchema> {
  return {
    id: asset.id,
    kind: asset.kind,
    status: asset.status,
    contentType: asset.contentType ?? null,
    sizeBytes: asset.sizeBytes ?? null,
    sha256: asset.sha256 ?? null,
    createdAt: asset.createdAt.toISOString(),
    storedAt: iso(asset.storedAt),
    deleteAt: iso(asset.deleteAt),
    jobId: asset.jobId ?? null,
    deletedAt: iso(asset.deletedAt),
    deletionReason: asset.deletionReason ?? null,
    legalHold,
  };
}

const idParams = z.object({ id: z.uuid() });

/** How long the operators' view waits for the retention workflow's state. */
const OPS_QUERY_TIMEOUT_MS = 3000;

/** `<createdAt ISO>|<id>`, base64url: where the next page starts. */
const cursorSchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const [at, id] = Buffer.from(value, 'base64url').toString('utf8').split('|');
    const createdAt = new Date(at ?? '');
    if (!id || Number.isNaN(createdAt.getTime()) || !z.uuid().safeParse(id).success) {
      ctx.addIssue({ code: 'custom', message: 'Not a page cursor from this list.' });
      return z.NEVER;
    }
    return { createdAt, id };
  });
const cursorOf = (asset: Asset) =>
  Buffer.from(`${asset.createdAt.toISOString()}|${asset.id}`).toString('base64url');

export const processingRestricted = () =>
  new AppError(
    403,
    'processing_restricted',
    'You asked us to restrict processing of your data, so new uploads are paused. Lift the restriction in your privacy settings to upload again.',
  );

export const assetGone = (asset: Asset) =>
  new AppError(
    410,
    'asset_deleted',
    asset.deletedAt
      ? `This file was deleted on ${asset.deletedAt.toISOString()} and can no longer be downloaded.`
      : 'This file has reached its deletion time and can no longer be downloaded.',
  );

export const assetOnHold = () =>
  conflict(
    'asset_on_hold',
    'This file is kept under a legal hold and cannot be deleted now. It will be deleted on schedule once the hold ends.',
  );

export function assetRoutes(deps: ApiDeps) {
  /** Which of these assets of one owner are covered by an active hold. */
  async function heldAssetIds(ownerId: string, assetIds: string[]): Promise<Set<string>> {
    if (assetIds.length === 0) return new Set();
    const holds = await deps.orm.em
      .fork()
      .find(
        LegalHold,
        { releasedAt: null, $or: [{ userId: ownerId }, { assetId: { $in: assetIds } }] },
        { fields: ['userId', 'assetId'] },
      );
    if (holds.some((h) => h.userId === ownerId)) return new Set(assetIds);
    return new Set(holds.map((h) => h.assetId).filter((id): id is string => !!id));
  }

  /** The caller's own asset; anybody else's answers like an unknown id. */
  async function ownAsset(userId: string, assetId: string): Promise<Asset> {
    const asset = await deps.orm.em.fork().findOne(Asset, { id: assetId, user: userId });
    if (!asset) throw notFound('No such file.');
    return asset;
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/assets',
      summary:
        'Upload a reference image, video or voice recording (multipart/form-data, one file); kept 30 days (R-IN-30D)',
      tags: ['assets'],
      access: 'verified',
      rateLimit: 'upload',
      status: 201,
      response: assetViewSchema,
      handler: async ({ req }) => {
        const { user } = caller(req);
        if (user.restrictedAt) throw processingRestricted();
        checkUploadRequest(req);
        const em = deps.orm.em.fork();
        const assetId = randomUUID();
        const objectKey = assetObjectKey(user.id, 'input', assetId);
        let rowCreated = false;
        try {
          const received = await receiveUpload(req, deps.store, objectKey, async (type) => {
            // The row exists before the first byte reaches the store: no object is ever unaccounted for.
            await em.insert(Asset, {
              id: assetId,
              user: user.id,
              kind: 'input',
              status: 'pending',
              objectKey,
              contentType: type.contentType,
              createdAt: new Date(),
            });
            rowCreated = true;
          });
          const storedAt = new Date();
          const deleteAt = assetDeleteAt('input', storedAt, deps.config.timeScale);
          await em.nativeUpdate(
            Asset,
            { id: assetId },
            { status: 'stored', sizeBytes: received.sizeBytes, sha256: received.sha256, storedAt, deleteAt },
          );
          // Stored only with its timer running: if the workflow cannot start, nothing is kept.
          await startAssetRetention(deps.temporal.client, {
            id: assetId,
            user: user.id,
            kind: 'input',
            objectKey,
            deleteAt,
          });
        } catch (err) {
          await deleteObjectQuietly(deps.store, objectKey);
          if (rowCreated) await deps.orm.em.fork().nativeDelete(Asset, { id: assetId });
          if (err instanceof AppError) throw err;
          req.log.error({ err }, 'upload failed');
          throw storageUnavailable();
        }
        const asset = await em.findOneOrFail(Asset, { id: assetId });
        await recordAudit(em, {
          action: 'asset.stored',
          actorId: user.id,
          actorRole: user.role,
          targetType: 'asset',
          targetId: assetId,
          subjectUserId: user.id,
          details: { kind: 'input', contentType: asset.contentType, sizeBytes: asset.sizeBytes },
        });
        const held = await heldAssetIds(user.id, [assetId]);
        return assetView(asset, held.has(assetId));
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/assets',
      summary: 'My files, newest first, with when each is deleted and whether a legal hold keeps it',
      tags: ['assets'],
      access: 'verified',
      query: z.object({
        kind: z.enum(ASSET_KINDS).optional(),
        limit: z.coerce.number().int().min(1).max(ASSET_LIST_MAX_LIMIT).default(ASSET_LIST_DEFAULT_LIMIT),
        cursor: cursorSchema.optional(),
      }),
      response: z.object({ assets: z.array(assetViewSchema), nextCursor: z.string().nullable() }),
      handler: async ({ query, req }) => {
        const { user } = caller(req);
        const rows = await deps.orm.em.fork().find(
          Asset,
          {
            user: user.id,
            ...(query.kind ? { kind: query.kind } : {}),
            ...(query.cursor
              ? {
                  $or: [
                    { createdAt: { $lt: query.cursor.createdAt } },
                    { createdAt: query.cursor.createdAt, id: { $lt: query.cursor.id } },
                  ],
                }
              : {}),
          },
          { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1 },
        );
        const page = rows.slice(0, query.limit);
        const held = await heldAssetIds(
          user.id,
          page.map((a) => a.id),
        );
        return {
          assets: page.map((a) => assetView(a, held.has(a.id))),
          nextCursor: rows.length > query.limit ? cursorOf(page.at(-1)!) : null,
        };
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/assets/:id',
      summary: 'One of my files',
      tags: ['assets'],
      access: 'verified',
      params: idParams,
      response: assetViewSchema,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const asset = await ownAsset(user.id, params.id);
        const held = await heldAssetIds(user.id, [asset.id]);
        return assetView(asset, held.has(asset.id));
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/assets/:id/download',
      summary: `A download link for one of my files, valid ${DOWNLOAD_URL_TTL_SECONDS / 60} minutes at most`,
      tags: ['assets'],
      access: 'verified',
      params: idParams,
      response: z.object({ url: z.url(), expiresAt: z.string() }),
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const asset = await ownAsset(user.id, params.id);
        if (asset.kind === 'temp') throw notFound('No such file.');
        if (asset.status === 'pending') throw conflict('asset_not_ready', 'This file is still being stored.');
        const now = Date.now();
        const deleteAtMs = asset.deleteAt?.getTime() ?? 0;
        // Past its delete-at a file is never handed out, even while its deletion is pending or held.
        // The link never outlives the file's delete-at (links are valid in whole seconds).
        const expiresInSeconds = Math.min(DOWNLOAD_URL_TTL_SECONDS, Math.floor((deleteAtMs - now) / 1000));
        if (asset.status !== 'stored' || expiresInSeconds < 1) throw assetGone(asset);
        const url = await presignDownload(deps.store, asset.objectKey, expiresInSeconds);
        return { url, expiresAt: new Date(now + expiresInSeconds * 1000).toISOString() };
      },
    }),

    defineRoute({
      method: 'delete',
      path: '/api/assets/:id',
      summary: 'Delete one of my files now (R-IN-EARLY); refused while a legal hold keeps it',
      tags: ['assets'],
      access: 'verified',
      params: idParams,
      status: 202,
      response: assetViewSchema,
      handler: async ({ params, req }) => {
        const { user } = caller(req);
        const em = deps.orm.em.fork();
        const asset = await ownAsset(user.id, params.id);
        if (asset.status === 'deleted') throw assetGone(asset);
        if (asset.status === 'pending' || !asset.deleteAt) {
          throw conflict('asset_not_ready', 'This file is still being stored. Try again in a moment.');
        }
        if ((await activeHoldIds(em, asset.id, user.id)).length > 0) throw assetOnHold();
        await em.nativeUpdate(
          Asset,
          { id: asset.id, status: { $in: ['stored', 'missing'] } },
          { status: 'deleting' },
        );
        const asked = await requestAssetDeletion(deps.temporal.client, asset, {
          reason: 'user',
          requestedBy: user.id,
        });
        if (asked) {
          await recordAudit(em, {
            action: 'asset.deletion_requested',
            actorId: user.id,
            actorRole: user.role,
            targetType: 'asset',
            targetId: asset.id,
            subjectUserId: user.id,
            details: { kind: asset.kind },
          });
        }
        const current = await deps.orm.em.fork().findOneOrFail(Asset, { id: asset.id });
        return assetView(current, false);
      },
    }),

    defineRoute({
      method: 'get',
      path: '/api/ops/assets/:id',
      summary: 'An asset and its retention workflow (state, Temporal Web UI links); the access is audited',
      tags: ['ops'],
      access: ['operator', 'admin'],
      params: idParams,
      response: assetViewSchema.extend({
        userId: z.uuid().nullable(),
        objectKey: z.string(),
        jobId: z.uuid().nullable(),
        activeHolds: z.number(),
        workflowId: z.string(),
        workflow: z
          .object({
            status: z.enum(RETENTION_STATUSES),
            deleteAt: z.string(),
            holds: z.array(z.string()),
            reason: z.enum(DELETION_REASONS).nullable(),
            deferrals: z.number(),
            proofId: z.string().nullable(),
          })
          .nullable(),
        temporalUiUrl: z.url(),
        temporalUiUserUrl: z.url().nullable(),
      }),
      handler: async ({ params, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const asset = await em.findOne(Asset, { id: params.id });
        if (!asset) throw notFound('No such asset.');
        const holds = await activeHoldIds(em, asset.id, asset.user ?? null);
        const workflowId = workflowIds.retention(asset.id);
        // A query needs a worker; never let a stopped one hang an operator's page.
        const workflow: AssetRetentionState | null = await deps.temporal.connection
          .withDeadline(Date.now() + OPS_QUERY_TIMEOUT_MS, () =>
            deps.temporal.client.workflow.getHandle(workflowId).query(retentionStateQuery),
          )
          .catch(() => null);
        await recordAudit(em, {
          action: 'staff.viewed_asset',
          actorId: staff.id,
          actorRole: staff.role,
          targetType: 'asset',
          targetId: asset.id,
          subjectUserId: asset.user ?? null,
        });
        const { uiUrl, namespace } = deps.config.temporal;
        return {
          ...assetView(asset, holds.length > 0),
          userId: asset.user ?? null,
          objectKey: asset.objectKey,
          jobId: asset.jobId ?? null,
          activeHolds: holds.length,
          workflowId,
          workflow: workflow && {
            status: workflow.status,
            deleteAt: workflow.deleteAt,
            holds: workflow.holds,
            reason: workflow.reason,
            deferrals: workflow.deferrals,
            proofId: workflow.proofId,
          },
          temporalUiUrl: workflowUiUrl(deps, workflowId),
          temporalUiUserUrl: asset.user
            ? `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(`UserId="${asset.user}"`)}`
            : null,
        };
      },
    }),
  ];
}
