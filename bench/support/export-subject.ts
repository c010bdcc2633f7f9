// The data export under test, named in this one place: the activity, its part sizes
// and the request row it exports for (activities/rights-request/, RightsRequest): if
// they move again, only this file follows.
import type { EntityManager } from '@mikro-orm/postgresql';
import { RightsRequest } from '../../db/entities/index.ts';

export { createExportActivities } from '../../activities/rights-request/export.ts';
export { EXPORT_PART_BYTES, EXPORT_PARTS_IN_FLIGHT } from '../../domain/rights-request.ts';

/** A verified portability request of `userId`, in progress; answers its id. */
export async function createExportRequest(em: EntityManager, userId: string): Promise<string> {
  const now = new Date();
  const request = em.create(RightsRequest, {
    user: userId,
    type: 'portability',
    jurisdiction: 'GDPR',
    status: 'in_progress',
    createdAt: now,
    verifiedAt: now,
    origin: 'user',
    details: {},
    verificationAttempts: 0,
  });
  await em.insert(RightsRequest, request);
  return request.id;
}
