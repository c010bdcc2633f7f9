import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { PolicyVersion } from './PolicyVersion.ts';

/**
 * A material policy change published while Temporal did not answer its announcement's
 * start (D-POLICY): the unstarted sweep of the same Temporal namespace starts the
 * announcement once Temporal answers, then removes this row. Written only when a start
 * fails, so the table is empty while Temporal is up.
 */
export const UnstartedPolicyAnnouncement = defineEntity({
  name: 'UnstartedPolicyAnnouncement',
  tableName: 'unstarted_policy_announcements',
  properties: {
    version: () => p.manyToOne(PolicyVersion).mapToPk().fieldName('version').primary().deleteRule('cascade'),
    /** The Temporal namespace the announcement belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedPolicyAnnouncement = InferEntity<typeof UnstartedPolicyAnnouncement>;
