// A creator's stored files: uploads kept 30 days (R-IN-30D) with their retention
// workflow started where they are stored, short-lived download links for the owner
// only, deletion at any time (R-IN-EARLY) — remembered and carried out at the release
// when a legal hold keeps the file (R-HOLD) — and the operators' view. Other people's
// files answer exactly like unknown ones.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, DeletionProof, type ModerationReview } from '../db/entities/index.ts';
import type {
  AssetListQuery,
  AssetPage,
  AssetView,
  DownloadLink,
  OpsAssetView,
} from '../domain/contracts/retention.ts';
import { AppError, conflict, notFound } from '../domain/errors.ts';
import {
  DOWNLOAD_URL_TTL_SECONDS,
  assetDeleteAt,
  assetObjectKey,
  type RetentionStatus,
} from '../domain/retention.ts';
import { USABLE_MODERATION, type ImageVerdict } from '../domain/moderation.ts';
import { workflowIds } from '../domain/temporal.ts';
import { recordAudit } from '../platform/audit.ts';
import { UndecodableMedia } from '../platform/undecodable.ts';
import { deleteObjectQuietly, presignDownload } from '../platform/objects.ts';
import { activeHoldIds, heldAssetIds } from '../stores/legal-hold.ts';
import { newestPage } from '../stores/time-pages.ts';
import { assetDedupeKey } from '../stores/retention-proof.ts';
import { judgeStoredObject, reportAssetVerdict, verdictColumns } from '../stores/moderation.ts';
import { deleteAssetSoon } from '../stores/retention.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { assetModerationViewOf, assetReviews } from './moderation-view.ts';
import { temporalUiLinks } from './diagnostic.ts';
import { startUploadRetention, tellRetention } from './retention-workflow.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function assetViewOf(asset: Asset, legalHold: boolean, review?: ModerationReview): AssetView {
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
    deletionDeferred: legalHold && asset.status === 'deleting',
    moderation: assetModerationViewOf(asset, review),
    takenDown: Boolean(asset.takedownId),
  };
}

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

export const takenDown = () =>
  new AppError(
    410,
    'taken_down',
    'This file was removed after a take-down request and can no longer be downloaded.',
  );

/** S-MOD: a file held for a person's review (or refused) is not handed out. */
export const notReleased = (asset: Asset) =>
  new AppError(
    409,
    'not_released',
    asset.moderation === 'held'
      ? 'This file is held for a review by our team and cannot be downloaded yet.'
      : 'This file was not approved by moderation and cannot be downloaded.',
  );

export const imageUnreadable = () =>
  new AppError(
    422,
    'image_unreadable',
    'This image could not be read: the file may be damaged. Nothing was kept; try another file.',
  );

export const moderationUnavailable = () =>
  new AppError(
    503,
    'moderation_unavailable',
    'We could not check your image just now. Nothing was kept; please try again.',
  );

export const storageUnavailable = () =>
  new AppError(
    503,
    'storage_unavailable',
    'We could not store your file just now. Nothing was kept; please try again.',
  );

/** The caller's own asset; anybody else's answers like an unknown id. */
async function ownAsset(em: EntityManager, actor: Actor, assetId: string): Promise<Asset> {
  const asset = await em.findOne(Asset, { id: assetId, user: actor.id });
  if (!asset) throw notFound('No such file.');
  return asset;
}

async function viewOfOwn(deps: UseCaseDeps, actor: Actor, asset: Asset): Promise<AssetView> {
  const em = deps.orm.em.fork();
  const held = await heldAssetIds(em, actor.id, [asset.id]);
  const reviews = await assetReviews(em, [asset.id]);
  return assetViewOf(asset, held.has(asset.id), reviews.get(asset.id));
}

/** What the multipart reader reports of a file once its bytes are in the store. */
export interface ReceivedFile {
  sizeBytes: number;
  sha256: string;
}
/**
 * Streams the upload into the object under `objectKey`; calls `onType` with the type
 * read from the file's first bytes before anything reaches the store.
 */
export type ReceiveFile = (
  objectKey: string,
  onType: (type: { contentType: string }) => Promise<void>,
) => Promise<ReceivedFile>;

/**
 * Stores an upload (R-IN-30D): the row first, then the bytes, then (an image) the
 * classifier's verdict (S-MOD), then its retention timer. An image is scored here, in
 * the request, before the row says stored: it is never usable unscored, and the creator
 * learns the verdict with the answer (see README, "Moderation").
 */
export async function storeUpload(
  deps: UseCaseDeps,
  actor: Actor & { restrictedAt?: Date | null },
  receive: ReceiveFile,
) {
  if (actor.restrictedAt) throw processingRestricted();
  const em = deps.orm.em.fork();
  const assetId = randomUUID();
  const objectKey = assetObjectKey(actor.id, 'input', assetId);
  let rowCreated = false;
  let contentType = '';
  let verdict: ImageVerdict | null = null;
  try {
    const received = await receive(objectKey, async (type) => {
      contentType = type.contentType;
      // The row exists before the first byte reaches the store: no object is ever unaccounted for.
      await em.insert(Asset, {
        id: assetId,
        user: actor.id,
        kind: 'input',
        status: 'pending',
        objectKey,
        contentType: type.contentType,
        createdAt: new Date(),
      });
      rowCreated = true;
    });
    if (contentType.startsWith('image/')) verdict = await scoreUpload(deps, objectKey);
    const storedAt = new Date();
    const deleteAt = assetDeleteAt('input', storedAt, deps.config.durations.retentionMs);
    await em.nativeUpdate(
      Asset,
      { id: assetId },
      {
        status: 'stored',
        sizeBytes: received.sizeBytes,
        sha256: received.sha256,
        storedAt,
        deleteAt,
        ...(verdict ? verdictColumns(verdict) : {}),
      },
    );
    await startUploadRetention(deps, { id: assetId, user: actor.id, kind: 'input', objectKey, deleteAt });
  } catch (err) {
    await deleteObjectQuietly(deps.store, objectKey);
    if (rowCreated) await deps.orm.em.fork().nativeDelete(Asset, { id: assetId });
    if (err instanceof AppError) throw err;
    deps.logger.error({ err }, 'upload failed');
    throw storageUnavailable();
  }
  const asset = await em.findOneOrFail(Asset, { id: assetId });
  if (verdict) await reportAssetVerdict(em, asset, verdict, 'upload');
  await recordAudit(em, {
    action: 'asset.stored',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'asset',
    targetId: assetId,
    subjectUserId: actor.id,
    details: { kind: 'input', contentType: asset.contentType, sizeBytes: asset.sizeBytes },
  });
  return viewOfOwn(deps, actor, asset);
}

/** S-MOD: the classifier's verdict on an uploaded image; a file it cannot read is refused as such. */
async function scoreUpload(deps: UseCaseDeps, objectKey: string): Promise<ImageVerdict> {
  try {
    return await judgeStoredObject(deps, objectKey, 'upload');
  } catch (err) {
    if (err instanceof UndecodableMedia) throw imageUnreadable();
    deps.logger.error({ err }, 'image moderation failed');
    throw moderationUnavailable();
  }
}

export async function listAssets(deps: UseCaseDeps, actor: Actor, query: AssetListQuery): Promise<AssetPage> {
  const em = deps.orm.em.fork();
  const { page, nextCursor } = await newestPage(
    em,
    Asset,
    {
      user: actor.id,
      ...(query.kind ? { kind: query.kind } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.media ? { contentType: { $like: `${query.media}/%` } } : {}),
    },
    query,
  );
  const ids = page.map((a) => a.id);
  const held = await heldAssetIds(em, actor.id, ids);
  const reviews = await assetReviews(em, ids);
  return {
    assets: page.map((a) => assetViewOf(a, held.has(a.id), reviews.get(a.id))),
    nextCursor,
  };
}

export async function getAsset(deps: UseCaseDeps, actor: Actor, assetId: string): Promise<AssetView> {
  return viewOfOwn(deps, actor, await ownAsset(deps.orm.em.fork(), actor, assetId));
}

/** A link that never outlives the file's delete-at, even while its deletion is pending or held. */
export async function assetDownloadLink(
  deps: UseCaseDeps,
  actor: Actor,
  assetId: string,
): Promise<DownloadLink> {
  const asset = await ownAsset(deps.orm.em.fork(), actor, assetId);
  if (asset.kind === 'temp') throw notFound('No such file.');
  if (asset.status === 'pending') throw conflict('asset_not_ready', 'This file is still being stored.');
  const now = Date.now();
  const deleteAtMs = asset.deleteAt?.getTime() ?? 0;
  // Links are valid in whole seconds.
  const expiresInSeconds = Math.min(DOWNLOAD_URL_TTL_SECONDS, Math.floor((deleteAtMs - now) / 1000));
  if (asset.takedownId) throw takenDown();
  if (asset.status !== 'stored' || expiresInSeconds < 1) throw assetGone(asset);
  if (!USABLE_MODERATION.includes(asset.moderation ?? null)) throw notReleased(asset);
  const url = await presignDownload(deps.store, asset.objectKey, expiresInSeconds);
  return { url, expiresAt: new Date(now + expiresInSeconds * 1000).toISOString() };
}

/**
 * Deletes one of the person's files now (R-IN-EARLY). Under a legal hold nothing is
 * deleted yet: the request is remembered and carried out as soon as the last hold that
 * covers the file is released, and the answer says so (R-HOLD). A store that does not
 * answer does not lose the request either: the file stays `deleting`, no longer handed
 * out, and is deleted as soon as the store answers.
 */
export async function deleteOwnAsset(
  deps: UseCaseDeps,
  actor: Actor,
  assetId: string,
): Promise<{ view: AssetView; deferred: boolean }> {
  const em = deps.orm.em.fork();
  const asset = await ownAsset(em, actor, assetId);
  if (asset.status === 'deleted') throw assetGone(asset);
  if (asset.status === 'pending' || !asset.deleteAt) {
    throw conflict('asset_not_ready', 'This file is still being stored. Try again in a moment.');
  }
  const outcome = await deleteAssetSoon(deps, asset, { reason: 'user', requestedBy: actor.id }, (a, r) =>
    tellRetention(deps, a, r),
  );
  await recordAudit(em, {
    action: 'asset.deletion_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'asset',
    targetId: asset.id,
    subjectUserId: actor.id,
    details: {
      kind: asset.kind,
      deferred: outcome.status === 'deferred',
      waitingForStore: outcome.status === 'waiting_for_store',
    },
  });
  const current = await deps.orm.em.fork().findOneOrFail(Asset, { id: asset.id });
  return {
    view: assetViewOf(current, outcome.status === 'deferred'),
    deferred: outcome.status === 'deferred',
  };
}

/** Where the retention of an asset stands, from the database alone. */
async function retentionRecord(em: EntityManager, asset: Asset, holds: readonly string[]) {
  const proof = await em.findOne(DeletionProof, { dedupeKey: assetDedupeKey(asset.id) }, { fields: ['id'] });
  const [deferrals] = await em.execute<{ n: number }[]>(
    `select count(*)::int as n from audit_events where action = 'asset.deletion_deferred' and target_id = ?`,
    [asset.id],
  );
  const status: RetentionStatus =
    asset.status === 'deleted'
      ? 'deleted'
      : holds.length > 0
        ? 'held'
        : asset.status === 'deleting'
          ? 'deleting'
          : 'scheduled';
  return {
    status,
    deleteAt: iso(asset.deleteAt),
    holds: [...holds],
    reason: asset.deletionReason ?? null,
    deferrals: deferrals?.n ?? 0,
    proofId: proof?.id ?? null,
  };
}

/** Any asset, for an operator, with its retention as recorded and its Web UI links; audited. */
export async function opsAsset(deps: UseCaseDeps, staff: Actor, assetId: string): Promise<OpsAssetView> {
  const em = deps.orm.em.fork();
  const asset = await em.findOne(Asset, { id: assetId });
  if (!asset) throw notFound('No such asset.');
  const holds = await activeHoldIds(em, asset.id, asset.user ?? null);
  const workflowId = workflowIds.retention(asset.id);
  await recordAudit(em, {
    action: 'staff.viewed_asset',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'asset',
    targetId: asset.id,
    subjectUserId: asset.user ?? null,
  });
  const links = temporalUiLinks(deps.config, workflowId, asset.user ?? null);
  return {
    ...assetViewOf(asset, holds.length > 0),
    userId: asset.user ?? null,
    objectKey: asset.objectKey,
    activeHolds: holds.length,
    workflowId,
    workflow: await retentionRecord(em, asset, holds),
    temporalUiUrl: links.workflow,
    temporalUiUserUrl: links.user,
  };
}
