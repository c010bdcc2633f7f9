import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { GenerationJob } from './GenerationJob.ts';

/**
 * A job saved while Temporal did not answer its workflow's start: the unstarted-jobs sweep
 * of the same Temporal namespace starts it once Temporal answers, then removes this row.
 * Written only when a start fails, so the table is empty while Temporal is up.
 */
export const UnstartedJob = defineEntity({
  name: 'UnstartedJob',
  tableName: 'unstarted_jobs',
  properties: {
    job: () => p.manyToOne(GenerationJob).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the job's workflow belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedJob = InferEntity<typeof UnstartedJob>;
