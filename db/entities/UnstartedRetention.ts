import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import type { DeleteNowRequest } from '../../workflows/retention.ts';
import { Asset } from './Asset.ts';

/**
 * An asset whose retention workflow Temporal did not answer: an upload kept without its
 * workflow's start, or a person's deletion not yet told to it. The unstarted sweep of the
 * same Temporal namespace starts the workflow (with the deletion, if any) once Temporal
 * answers, then removes this row. Written only when Temporal fails to answer, so the table
 * is empty while it is up.
 */
export const UnstartedRetention = defineEntity({
  name: 'UnstartedRetention',
  tableName: 'unstarted_retentions',
  properties: {
    asset: () => p.manyToOne(Asset).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the retention workflow belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
    /** A person's deletion asked for meanwhile: sent with the start (signal-with-start). */
    deletion: p.json<DeleteNowRequest>().nullable(),
  },
});
export type UnstartedRetention = InferEntity<typeof UnstartedRetention>;
