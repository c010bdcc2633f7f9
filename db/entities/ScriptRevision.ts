import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { REVISION_STATUSES } from '../../domain/script.ts';
import { ScriptProject } from './ScriptProject.ts';

/**
 * One run of a project, and the revision it composes: the scenes as they were (its
 * scene rows), the jobs it created with their reservations, and what it made: the final
 * video (an output, 7 days) with its subtitles and voice track (intermediates).
 */
export const ScriptRevision = defineEntity({
  name: 'ScriptRevision',
  tableName: 'script_revisions',
  uniques: [{ properties: ['project', 'number'] }, { properties: ['project', 'idempotencyKey'] }],
  // A cancel kept while Temporal did not answer shows on the project's live view: it is
  // announced on the project's channel (stores/script.ts SCRIPT_CHANNEL).
  triggers: [
    {
      name: 'script_revision_cancel_requested',
      timing: 'after',
      events: ['update'],
      forEach: 'row',
      // One line, as PostgreSQL stores it: the schema check compares the text.
      body: `if old.cancel_requested_at is distinct from new.cancel_requested_at then perform pg_notify('script_project', new.project_id::text); end if; return null;`,
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.manyToOne(ScriptProject).mapToPk().deleteRule('cascade').index(),
    number: p.integer(),
    idempotencyKey: p.string().length(128),
    status: p.enum(REVISION_STATUSES).default('running'),
    /** Credits reserved for the scenes this run renders (reused scenes cost nothing). */
    creditsQuoted: p.integer(),
    aspectRatio: p.string().length(16),
    resolution: p.string().length(16),
    burnSubtitles: p.boolean(),
    /** The creator's recording used, or null for speech made on the box in `voiceLanguage`. */
    recordingAssetId: p.uuid().nullable(),
    voiceLanguage: p.string().length(16),
    durationSeconds: p.integer(),
    finalAssetId: p.uuid().nullable(),
    subtitlesAssetId: p.uuid().nullable(),
    voiceTrackAssetId: p.uuid().nullable(),
    message: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    composedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    /**
     * A cancel its owner asked for while Temporal did not answer: the untold-signals sweep
     * tells the workflow once it does (the project's views say so until the run ends).
     */
    cancelRequestedAt: p.datetime().nullable(),
  },
});
export type ScriptRevision = InferEntity<typeof ScriptRevision>;
