import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { LegalHold } from './LegalHold.ts';

/**
 * A hold placed or released while Temporal did not answer its signals: the unstarted sweep
 * of the same Temporal namespace tells the workflows it concerns (as the hold is then)
 * once Temporal answers, then removes this row. Empty while Temporal is up.
 */
export const UntoldHoldChange = defineEntity({
  name: 'UntoldHoldChange',
  tableName: 'untold_hold_changes',
  properties: {
    hold: () => p.manyToOne(LegalHold).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace of the workflows to tell (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UntoldHoldChange = InferEntity<typeof UntoldHoldChange>;
