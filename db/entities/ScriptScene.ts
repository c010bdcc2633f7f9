import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ScriptProject } from './ScriptProject.ts';

/**
 * One scene of a project as the creator edits it. `jobId` is the generation job that
 * rendered (or renders) it and `jobRenderKey` the settings it was made with: a scene
 * whose settings still match keeps its clip, so an edit re-renders only what changed.
 */
export const ScriptScene = defineEntity({
  name: 'ScriptScene',
  tableName: 'script_scenes',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.manyToOne(ScriptProject).mapToPk().deleteRule('cascade').index(),
    position: p.integer(),
    text: p.text(),
    durationSeconds: p.integer(),
    modelId: p.string().length(64),
    imageAssetId: p.uuid().nullable(),
    /** Fixed when the scene is made, so a re-render of unchanged settings looks the same. */
    seed: p.bigint('number'),
    jobId: p.uuid().nullable(),
    jobRenderKey: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ScriptScene = InferEntity<typeof ScriptScene>;
