import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ScriptRevision } from './ScriptRevision.ts';

/** A scene as one revision used it: its words and settings then, and the clip it got. */
export const ScriptRevisionScene = defineEntity({
  name: 'ScriptRevisionScene',
  tableName: 'script_revision_scenes',
  uniques: [{ properties: ['revision', 'position'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    revision: () => p.manyToOne(ScriptRevision).mapToPk().deleteRule('cascade').index(),
    position: p.integer(),
    sceneId: p.uuid(),
    text: p.text(),
    durationSeconds: p.integer(),
    modelId: p.string().length(64),
    imageAssetId: p.uuid().nullable(),
    /** The job that made the clip: new in this run (`rendered`), or an earlier run's. */
    jobId: p.uuid().index(),
    rendered: p.boolean(),
    clipAssetId: p.uuid().nullable().index(),
  },
});
export type ScriptRevisionScene = InferEntity<typeof ScriptRevisionScene>;
