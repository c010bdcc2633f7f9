import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { Incident } from './Incident.ts';

/**
 * An incident recorded while Temporal did not answer its workflow's start: the unstarted
 * sweep of the same Temporal namespace starts it once Temporal answers, and tells it of
 * the authority's notification if that was recorded meanwhile, then removes this row.
 * Written only when a start fails, so the table is empty while Temporal is up.
 */
export const UnstartedIncident = defineEntity({
  name: 'UnstartedIncident',
  tableName: 'unstarted_incidents',
  properties: {
    incident: () => p.manyToOne(Incident).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the incident's workflow belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedIncident = InferEntity<typeof UnstartedIncident>;
