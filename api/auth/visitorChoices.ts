// A choice made on the cookie banner before signing in is the person's own: at sign-in the
// browser's latest choice goes to the account when it is newer than the account's (the
// latest choice counts, D-CONSENT), so nobody is asked twice and a fresh "no" is never
// overridden by an older "yes". The copy keeps the choice's own time, source and policy
// version. Marketing email is never a visitor's to choose, and the analytics a browser
// sent before sign-in stay the browser's: they are not joined to the account.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Consent } from '../../db/entities/index.ts';
import type { ConsentPurpose } from '../../domain/consent.ts';

const VISITOR_PURPOSES: readonly ConsentPurpose[] = ['analytics'];

export async function carryVisitorChoices(
  em: EntityManager,
  userId: string,
  visitorId: string,
): Promise<void> {
  for (const purpose of VISITOR_PURPOSES) {
    const [chosen] = await em.find(Consent, { visitorId, purpose }, { orderBy: { id: 'desc' }, limit: 1 });
    if (!chosen) continue;
    const [own] = await em.find(Consent, { user: userId, purpose }, { orderBy: { id: 'desc' }, limit: 1 });
    if (own && own.createdAt.getTime() >= chosen.createdAt.getTime()) continue;
    em.create(Consent, {
      user: userId,
      purpose,
      granted: chosen.granted,
      policyVersion: chosen.policyVersion,
      source: chosen.source,
      createdAt: chosen.createdAt,
    });
  }
  await em.flush();
}
