import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ScriptRevision } from './ScriptRevision.ts';

/**
 * A script run saved while Temporal did not answer its workflow's start: the unstarted
 * sweep of the same Temporal namespace starts it once Temporal answers, then removes this
 * row. Written only when a start fails, so the table is empty while Temporal is up.
 */
export const UnstartedScriptRun = defineEntity({
  name: 'UnstartedScriptRun',
  tableName: 'unstarted_script_runs',
  properties: {
    revision: () => p.manyToOne(ScriptRevision).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the run's workflow belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedScriptRun = InferEntity<typeof UnstartedScriptRun>;
