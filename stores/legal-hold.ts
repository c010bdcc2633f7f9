// Legal holds as both sides read them (R-HOLD): the active holds that cover one asset
// (placed on the asset itself or on its owner), and which of a person's assets a hold
// covers. The API refuses or defers deletions with these; the deletion activity checks
// them again where the deletion happens. And what a hold's change concerns.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { HoldChange } from '../clients/legal-hold.ts';
import { Asset, LegalHold, User } from '../db/entities/index.ts';

export async function activeHoldIds(
  em: EntityManager,
  assetId: string,
  ownerId: string | null,
): Promise<string[]> {
  const holds = await em.find(
    LegalHold,
    { releasedAt: null, $or: [{ assetId }, ...(ownerId ? [{ userId: ownerId }] : [])] },
    { fields: ['id'], orderBy: { placedAt: 'asc', id: 'asc' } },
  );
  return holds.map((h) => h.id);
}

/** Which of these assets of one owner an active hold covers. */
export async function heldAssetIds(
  em: EntityManager,
  ownerId: string,
  assetIds: readonly string[],
): Promise<Set<string>> {
  if (assetIds.length === 0) return new Set();
  const holds = await em.find(
    LegalHold,
    { releasedAt: null, $or: [{ userId: ownerId }, { assetId: { $in: [...assetIds] } }] },
    { fields: ['userId', 'assetId'] },
  );
  if (holds.some((h) => h.userId === ownerId)) return new Set(assetIds);
  return new Set(holds.map((h) => h.assetId).filter((id): id is string => Boolean(id)));
}

/** The person a hold is about: its user, or the owner of its file. */
export async function holdSubject(
  em: EntityManager,
  hold: { userId?: string | null; assetId?: string | null },
): Promise<string | null> {
  if (!hold.assetId) return hold.userId ?? null;
  const asset = await em.findOne(Asset, { id: hold.assetId }, { fields: ['user'] });
  return asset?.user ?? null;
}

/** The assets a released hold was keeping from a deletion already asked for. */
export async function deferredAssetIds(
  em: EntityManager,
  hold: { userId?: string | null; assetId?: string | null },
): Promise<string[]> {
  const where = hold.assetId ? { id: hold.assetId } : { user: hold.userId! };
  const assets = await em.find(Asset, { ...where, status: 'deleting' }, { fields: ['id'] });
  return assets.map((a) => a.id);
}

/** The workflows a hold's placement or release concerns, as the hold is now. */
export async function holdChange(em: EntityManager, hold: LegalHold): Promise<HoldChange> {
  const subjectUserId = await holdSubject(em, hold);
  const subject = subjectUserId
    ? await em.findOne(User, { id: subjectUserId }, { fields: ['pseudonym'] })
    : null;
  return {
    holdId: hold.id,
    released: Boolean(hold.releasedAt),
    deferredAssetIds: hold.releasedAt ? await deferredAssetIds(em, hold) : [],
    subjectPseudonym: subject?.pseudonym ?? null,
  };
}
