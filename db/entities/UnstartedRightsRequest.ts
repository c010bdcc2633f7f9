import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { RightsRequest } from './RightsRequest.ts';

/**
 * A rights request made while Temporal did not answer its workflow's start: the unstarted
 * sweep of the same Temporal namespace starts it once Temporal answers, as verified if the
 * person confirmed it meanwhile, then removes this row. Written only when a start fails,
 * so the table is empty while Temporal is up.
 */
export const UnstartedRightsRequest = defineEntity({
  name: 'UnstartedRightsRequest',
  tableName: 'unstarted_rights_requests',
  properties: {
    request: () => p.manyToOne(RightsRequest).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the request's workflow belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedRightsRequest = InferEntity<typeof UnstartedRightsRequest>;
