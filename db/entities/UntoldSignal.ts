import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/**
 * A signal Temporal did not take while it did not answer, for a change the API had
 * already made (a review's decision, a hold's release): the unstarted sweep of the same
 * Temporal namespace sends it once Temporal answers, in the order they were recorded,
 * then removes this row. Empty while Temporal is up.
 */
export const UntoldSignal = defineEntity({
  name: 'UntoldSignal',
  tableName: 'untold_signals',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    /** The Temporal namespace of the workflow (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    workflowId: p.string().length(255),
    /** The signal's name, as its workflow defines it. */
    signal: p.string().length(100),
    args: p.json<unknown[]>(),
    failedAt: p.datetime(),
  },
});
export type UntoldSignal = InferEntity<typeof UntoldSignal>;
