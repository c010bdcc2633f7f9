import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow } from './columns.ts';
import { CONSENT_PURPOSES } from '../../domain/consent.ts';
import { User } from './User.ts';

/** Append-only: each choice is a new row with its time, source and policy version (D-CONSENT). */
export const Consent = defineEntity({
  name: 'Consent',
  tableName: 'consents',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('cascade').index(),
    /** Random id of a signed-out visitor's browser, for banner choices made before sign-up. */
    visitorId: p.string().length(64).nullable().index(),
    purpose: p.enum(CONSENT_PURPOSES),
    granted: p.boolean(),
    policyVersion: p.string().length(32),
    source: p.string().length(64),
    createdAt: createdNow(),
  },
});
export type Consent = InferEntity<typeof Consent>;
