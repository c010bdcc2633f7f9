// A script project's records as both sides use them: the API creates projects, scenes,
// revisions and their jobs; the workflow's activities write the project's live state
// (phase, progress) as they go and record what each run made. The API reads the live
// view from here, hearing of each change by PostgreSQL NOTIFY, never from the workflow.
import { createHash } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { ScriptProject, ScriptRevision, ScriptRevisionScene } from '../db/entities/index.ts';
import type { RunPhase } from '../domain/script.ts';
import { SCRIPT_FAILURE_TYPES } from '../domain/script.ts';
import { setGivenColumns } from './sql-sets.ts';

/** The channel PostgreSQL announces a project's change on (the entity's trigger). */
export const SCRIPT_CHANNEL = 'script_project';

export async function loadProject(orm: MikroORM, projectId: string): Promise<ScriptProject> {
  const project = await orm.em.fork().findOne(ScriptProject, { id: projectId });
  if (!project) {
    throw ApplicationFailure.nonRetryable(`no project ${projectId}`, SCRIPT_FAILURE_TYPES.projectNotFound);
  }
  return project;
}

export async function loadRevision(
  orm: MikroORM,
  revisionId: string,
): Promise<{ revision: ScriptRevision; project: ScriptProject; scenes: ScriptRevisionScene[] }> {
  const em = orm.em.fork();
  const revision = await em.findOne(ScriptRevision, { id: revisionId });
  if (!revision) {
    throw ApplicationFailure.nonRetryable(`no revision ${revisionId}`, SCRIPT_FAILURE_TYPES.projectNotFound);
  }
  const project = await loadProject(orm, revision.project);
  const scenes = await em.find(
    ScriptRevisionScene,
    { revision: revisionId },
    { orderBy: { position: 'asc' } },
  );
  return { revision, project, scenes };
}

/** What a scene's clip depends on: the same key means the same clip, so it is kept. */
export function renderKey(
  scene: {
    text: string;
    durationSeconds: number;
    modelId: string;
    imageAssetId?: string | null;
    seed: number;
  },
  project: { aspectRatio: string; resolution: string },
): string {
  const canonical = JSON.stringify([
    scene.text.trim(),
    scene.durationSeconds,
    scene.modelId,
    scene.imageAssetId ?? null,
    scene.seed,
    project.aspectRatio,
    project.resolution,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * A file's id derived from what it is (`final`, `subtitles`, `voice`) and the revision it
 * belongs to: a retried step writes the same object and row, never a second one.
 */
export function derivedAssetId(role: string, revisionId: string): string {
  const hex = createHash('sha256').update(`script:${role}:${revisionId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ProjectLiveState {
  phase?: RunPhase | null;
  phaseProgress?: number | null;
  statusMessage?: string | null;
}

/** Records what a running project is doing now; nothing once its run has ended. */
export async function recordProjectLive(
  em: EntityManager,
  projectId: string,
  live: ProjectLiveState,
): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [];
  setGivenColumns(sets, values, [
    ['phase', live.phase],
    ['phase_progress', live.phaseProgress],
    ['status_message', live.statusMessage],
  ]);
  if (sets.length === 0) return;
  await em.execute(`update script_projects set ${sets.join(', ')} where id = ? and status = 'running'`, [
    ...values,
    projectId,
  ]);
}

/** The clips the composed revisions of a project use: they must outlive any single run. */
export async function composedClipIds(em: EntityManager, projectId: string): Promise<Set<string>> {
  const rows = await em.execute<{ clip_asset_id: string }[]>(
    `select distinct rs.clip_asset_id from script_revision_scenes rs
       join script_revisions r on r.id = rs.revision_id
      where r.project_id = ? and r.status = 'composed' and rs.clip_asset_id is not null`,
    [projectId],
  );
  return new Set(rows.map((r) => r.clip_asset_id));
}
