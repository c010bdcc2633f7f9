// The data export under test, named in this one place: the activity, its part sizes
// and the request row it exports for. (The export is moving from activities/privacy/ to
// activities/rights-request/, and its request row from PrivacyRequest to RightsRequest:
// only this file follows.)
import type { EntityManager } from '@mikro-orm/postgresql';
import { PrivacyRequest } from '../../db/entities/index.ts';

export { createExportActivities } from '../../activities/privacy/export.ts';
export { EXPORT_PART_BYTES, EXPORT_PARTS_IN_FLIGHT } from '../../domain/privacy.ts';

/** A verified portability request of `userId`, in progress; answers its id. */
export async function createExportRequest(em: EntityManager, userId: string): Promise<string> {
  const now = new Date();
  const request = em.create(PrivacyRequest, {
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
  await em.insert(PrivacyRequest, request);
  return request.id;
}
