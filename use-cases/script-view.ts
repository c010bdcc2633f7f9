// How a creator sees script projects: every read comes from PostgreSQL, where the
// project's workflow and each scene's job record their live state as they go, so a read
// answers at once even while no worker runs. Live progress is pushed: PostgreSQL
// announces a change to the project (or to a scene's job) and the new view is sent on.
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Asset,
  GenerationJob,
  ScriptProject,
  ScriptRevision,
  ScriptRevisionScene,
  ScriptScene,
} from '../db/entities/index.ts';
import type {
  CompareQuery,
  ProjectListQuery,
  ProjectPage,
  ProjectView,
  RevisionComparison,
  RevisionView,
  SceneView,
} from '../domain/contracts/script.ts';
import { notFound } from '../domain/errors.ts';
import { FAILURE_MESSAGES, type FailureCode } from '../domain/generation.ts';
import { findModel } from '../domain/models.ts';
import { compareScenes, type SplitMethod } from '../domain/script.ts';
import { JOB_CHANNEL } from '../stores/generation.ts';
import { newestPage } from '../stores/time-pages.ts';
import { SCRIPT_CHANNEL, renderKey } from '../stores/script.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { streamLiveView } from './live-view.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export async function ownProject(em: EntityManager, actor: Actor, id: string): Promise<ScriptProject> {
  const project = await em.findOne(ScriptProject, { id, user: actor.id });
  if (!project) throw notFound('No such project.');
  return project;
}

/** What the next run does with a scene: render it (and why), or keep its clip. */
export function nextFor(
  scene: ScriptScene,
  project: ScriptProject,
  job: GenerationJob | undefined,
  clipStored: boolean,
): SceneView['next'] {
  if (!scene.jobId || !job) return 'new';
  if (scene.jobRenderKey !== renderKey(scene, project)) return 'edited';
  return job.status === 'succeeded' && clipStored ? 'kept' : 'retry';
}

/** The scenes with their jobs and whether each job's clip is still stored. */
export async function scenesWithJobs(em: EntityManager, projectId: string) {
  const scenes = await em.find(ScriptScene, { project: projectId }, { orderBy: { position: 'asc' } });
  const jobIds = scenes.map((s) => s.jobId).filter((id): id is string => Boolean(id));
  const jobs = jobIds.length ? await em.find(GenerationJob, { id: { $in: jobIds } }) : [];
  const outputIds = jobs.map((j) => j.outputAssetId).filter((id): id is string => Boolean(id));
  const stored = outputIds.length
    ? await em.find(Asset, { id: { $in: outputIds }, status: 'stored' }, { fields: ['id'] })
    : [];
  const storedIds = new Set(stored.map((a) => a.id));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  return scenes.map((scene) => {
    const job = scene.jobId ? byId.get(scene.jobId) : undefined;
    const clipAssetId = job?.outputAssetId && storedIds.has(job.outputAssetId) ? job.outputAssetId : null;
    return { scene, job, clipAssetId };
  });
}

function sceneViewOf(
  project: ScriptProject,
  { scene, job, clipAssetId }: Awaited<ReturnType<typeof scenesWithJobs>>[number],
): SceneView {
  const code = job?.failureCode as FailureCode | null | undefined;
  return {
    id: scene.id,
    position: scene.position,
    text: scene.text,
    durationSeconds: scene.durationSeconds,
    model: { id: scene.modelId, label: findModel(scene.modelId)?.label ?? scene.modelId },
    imageAssetId: scene.imageAssetId ?? null,
    next: nextFor(scene, project, job, clipAssetId !== null),
    job: job
      ? {
          id: job.id,
          status: job.status,
          progress: job.status === 'succeeded' ? 1 : job.progress == null ? null : Number(job.progress),
          message: code ? (FAILURE_MESSAGES[code] ?? null) : (job.statusMessage ?? null),
        }
      : null,
    clipAssetId,
  };
}

export async function getProject(deps: UseCaseDeps, actor: Actor, id: string): Promise<ProjectView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  const scenes = await scenesWithJobs(em, project.id);
  const latest = await em.findOne(
    ScriptRevision,
    { project: project.id, status: 'composed' },
    { orderBy: { number: 'desc' } },
  );
  const video = latest?.finalAssetId
    ? await em.findOne(Asset, { id: latest.finalAssetId, status: 'stored' }, { fields: ['deleteAt'] })
    : null;
  const splitMethods: SplitMethod[] = deps.config.llm ? ['local', 'llm'] : ['local'];
  const running =
    project.status === 'running' && project.runningRevisionId
      ? await em.findOne(ScriptRevision, { id: project.runningRevisionId }, { fields: ['cancelRequestedAt'] })
      : null;
  return {
    id: project.id,
    title: project.title,
    script: project.script,
    format: project.scriptFormat,
    splitMethod: project.splitMethod,
    aspectRatio: project.aspectRatio,
    resolution: project.resolution,
    voiceAssetId: project.voiceAssetId ?? null,
    voiceLanguage: project.voiceLanguage as ProjectView['voiceLanguage'],
    burnSubtitles: project.burnSubtitles,
    status: project.status,
    phase: project.phase ?? null,
    phaseProgress: project.phaseProgress == null ? null : Number(project.phaseProgress),
    message: project.statusMessage ?? null,
    latestRevision: project.latestRevision ?? null,
    cancelRequestedAt: iso(running?.cancelRequestedAt),
    video:
      latest && video
        ? {
            revision: latest.number,
            assetId: latest.finalAssetId!,
            subtitlesAssetId: latest.subtitlesAssetId ?? null,
            deleteAt: iso(video.deleteAt),
          }
        : null,
    scenes: scenes.map((s) => sceneViewOf(project, s)),
    totalSeconds: scenes.reduce((sum, s) => sum + s.scene.durationSeconds, 0),
    splitMethods,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

/** A page of the creator's projects, last changed first; the next starts at its `nextCursor`. */
export async function listProjects(
  deps: UseCaseDeps,
  actor: Actor,
  query: ProjectListQuery,
): Promise<ProjectPage> {
  const { page, nextCursor } = await newestPage(
    deps.orm.em.fork(),
    ScriptProject,
    { user: actor.id },
    query,
    'updatedAt',
  );
  return {
    projects: page.map((p) => ({
      id: p.id,
      title: p.title,
      status: p.status,
      latestRevision: p.latestRevision ?? null,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
    })),
    nextCursor,
  };
}

// ---------------------------------------------------------------- revisions

async function revisionViews(em: EntityManager, revisions: ScriptRevision[]): Promise<RevisionView[]> {
  const ids = revisions.map((r) => r.id);
  const scenes = ids.length
    ? await em.find(ScriptRevisionScene, { revision: { $in: ids } }, { orderBy: { position: 'asc' } })
    : [];
  const fileIds = revisions
    .flatMap((r) => [r.finalAssetId, r.subtitlesAssetId, r.voiceTrackAssetId])
    .filter((x): x is string => Boolean(x));
  const files = fileIds.length ? await em.find(Asset, { id: { $in: fileIds } }) : [];
  const fileRef = (id: string | null | undefined) => {
    const asset = id ? files.find((f) => f.id === id) : undefined;
    return asset ? { assetId: asset.id, status: asset.status, deleteAt: iso(asset.deleteAt) } : null;
  };
  return revisions.map((r) => ({
    number: r.number,
    status: r.status,
    createdAt: r.createdAt.toISOString(),
    composedAt: iso(r.composedAt),
    durationSeconds: r.durationSeconds,
    credits: r.creditsQuoted,
    burnSubtitles: r.burnSubtitles,
    voice: r.recordingAssetId ? 'recording' : 'speech',
    message: r.message ?? null,
    video: fileRef(r.finalAssetId),
    subtitles: fileRef(r.subtitlesAssetId),
    voiceTrack: fileRef(r.voiceTrackAssetId),
    scenes: scenes
      .filter((s) => s.revision === r.id)
      .map((s) => ({
        position: s.position,
        text: s.text,
        durationSeconds: s.durationSeconds,
        modelId: s.modelId,
        imageAssetId: s.imageAssetId ?? null,
        jobId: s.jobId,
        rendered: s.rendered,
        clipAssetId: s.clipAssetId ?? null,
      })),
  }));
}

/** Every run of a project, newest first: what each made (or why not), and its scenes then. */
export async function listRevisions(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
): Promise<{ revisions: RevisionView[] }> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  const revisions = await em.find(ScriptRevision, { project: project.id }, { orderBy: { number: 'desc' } });
  return { revisions: await revisionViews(em, revisions) };
}

export async function getRevision(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  number: number,
): Promise<RevisionView> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  const revision = await em.findOne(ScriptRevision, { project: project.id, number });
  if (!revision) throw notFound('No such revision.');
  return (await revisionViews(em, [revision]))[0]!;
}

/** Two revisions scene by scene; by default the newest and the one before it (or itself, when first). */
export async function compareRevisions(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  query: CompareQuery,
): Promise<RevisionComparison> {
  const em = deps.orm.em.fork();
  const project = await ownProject(em, actor, id);
  const newest = await em.findOne(ScriptRevision, { project: project.id }, { orderBy: { number: 'desc' } });
  const toNumber = query.to ?? newest?.number;
  if (!toNumber) throw notFound('This project has no revision yet.');
  const [from, to] = await Promise.all([
    getRevision(deps, actor, id, query.from ?? Math.max(1, toNumber - 1)),
    getRevision(deps, actor, id, toNumber),
  ]);
  return { from: from.number, to: to.number, scenes: compareScenes(from.scenes, to.scenes) };
}

// ---------------------------------------------------------------- live

/**
 * Sends the project's view now and after every change PostgreSQL announces (to the
 * project, or to the job of one of its scenes), until `signal` aborts, or the project
 * is no longer running and was sent so. Each view is sent only when it changed.
 */
export async function watchProject(
  deps: UseCaseDeps,
  actor: Actor,
  id: string,
  send: (view: ProjectView) => void,
  signal: AbortSignal,
): Promise<void> {
  const project = await ownProject(deps.orm.em.fork(), actor, id);
  await streamLiveView(
    deps.notifications,
    {
      read: () => getProject(deps, actor, project.id),
      ended: (view) => view.status !== 'running',
      // A new run gives scenes new jobs: those are followed too.
      rows: (view) => [
        [SCRIPT_CHANNEL, project.id],
        ...view.scenes.flatMap((scene) => (scene.job ? [[JOB_CHANNEL, scene.job.id] as const] : [])),
      ],
    },
    send,
    signal,
  );
}
