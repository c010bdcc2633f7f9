import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { TakedownRequest } from './TakedownRequest.ts';

/**
 * A take-down request filed while Temporal did not answer its workflow's start: the
 * unstarted sweep of the same Temporal namespace starts it once Temporal answers, with
 * the legal team's decision if one was made meanwhile, then removes this row. Written
 * only when a start fails, so the table is empty while Temporal is up.
 */
export const UnstartedTakedown = defineEntity({
  name: 'UnstartedTakedown',
  tableName: 'unstarted_takedowns',
  properties: {
    takedown: () => p.manyToOne(TakedownRequest).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the request's workflow belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedTakedown = InferEntity<typeof UnstartedTakedown>;
