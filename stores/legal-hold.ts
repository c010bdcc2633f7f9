// Legal holds as both sides read them (R-HOLD): the active holds that cover one asset
// (placed on the asset itself or on its owner), and which of a person's assets a hold
// covers. The API refuses or defers deletions with these; the deletion activity checks
// them again where the deletion happens.
import type { EntityManager } from '@mikro-orm/postgresql';
import { LegalHold } from '../db/entities/index.ts';

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
