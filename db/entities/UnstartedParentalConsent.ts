import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { User } from './User.ts';

/**
 * A minor's account created while Temporal did not answer its timer's start (D-MINOR):
 * the unstarted sweep of the same Temporal namespace starts the timer, for what is left
 * of the parent's period, once Temporal answers, then removes this row. Deleting the
 * account takes the row with it. Written only when a start fails, so the table is empty
 * while Temporal is up.
 */
export const UnstartedParentalConsent = defineEntity({
  name: 'UnstartedParentalConsent',
  tableName: 'unstarted_parental_consents',
  properties: {
    user: () => p.manyToOne(User).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the timer belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedParentalConsent = InferEntity<typeof UnstartedParentalConsent>;
