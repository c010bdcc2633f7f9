import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { RUN_PHASES, SCRIPT_FORMATS, SCRIPT_STATUSES, SPLIT_METHODS } from '../../domain/script.ts';
import { User } from './User.ts';

/**
 * A creator's script project: the script, the settings every scene shares, and its live
 * state (status, phase, progress), written by its workflow's activities and announced on
 * the `script_project` channel (stores/script.ts SCRIPT_CHANNEL) for the live view.
 */
export const ScriptProject = defineEntity({
  name: 'ScriptProject',
  tableName: 'script_projects',
  triggers: [
    {
      name: 'script_project_changed',
      timing: 'after',
      events: ['update'],
      forEach: 'row',
      // One line, as PostgreSQL stores it: the schema check compares the text.
      body: `if row(old.status, old.phase, old.phase_progress, old.status_message, old.latest_revision, old.updated_at) is distinct from row(new.status, new.phase, new.phase_progress, new.status_message, new.latest_revision, new.updated_at) then perform pg_notify('script_project', new.id::text); end if; return null;`,
    },
  ],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    user: () => p.manyToOne(User).mapToPk().deleteRule('cascade').index(),
    title: p.string().length(120),
    script: p.text(),
    scriptFormat: p.enum(SCRIPT_FORMATS),
    /** How the current scenes were made from the script. */
    splitMethod: p.enum(SPLIT_METHODS),
    aspectRatio: p.string().length(16),
    resolution: p.string().length(16),
    /** The creator's voice recording (an uploaded input); null: speech made on the box. */
    voiceAssetId: p.uuid().nullable(),
    voiceLanguage: p.string().length(16),
    burnSubtitles: p.boolean().default(false),
    status: p.enum(SCRIPT_STATUSES).default('draft'),
    phase: p.enum(RUN_PHASES).nullable(),
    /** 0..1 of the phase's own work (composition), where known. */
    phaseProgress: p.double().nullable(),
    statusMessage: p.text().nullable(),
    /** The newest composed revision's number. */
    latestRevision: p.integer().nullable(),
    /** The revision being made while the project runs. */
    runningRevisionId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ScriptProject = InferEntity<typeof ScriptProject>;
