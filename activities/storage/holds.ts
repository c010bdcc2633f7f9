// Legal holds as the storage side sees them (R-HOLD): the active holds that cover one
// asset, either placed on the asset itself or on its owner.
import type { EntityManager } from '@mikro-orm/postgresql';
import { LegalHold } from '../../db/entities/index.ts';

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
