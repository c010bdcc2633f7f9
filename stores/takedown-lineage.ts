// What a take-down removes (S-TAKEDOWN): the named content and everything made from it.
// A lineage step adds to what is found what was made from it; the steps run until none
// finds anything new, so chains of any length are followed (a revision of a revision of
// a job that used an image). Features that make content from other content add a step
// to LINEAGE_STEPS (script projects: a composed video is made from its scenes' jobs, and
// its subtitles and voice track go with it).
import type { EntityManager } from '@mikro-orm/postgresql';
import { Asset, GenerationJob, ScriptRevision, ScriptRevisionScene } from '../db/entities/index.ts';
import { LIVE_ASSET_STATUSES } from '../domain/retention.ts';
import type { ObjectStore } from '../platform/s3.ts';
import { zipEntryNames } from '../platform/zip-entries.ts';

/** Ids of the jobs and stored files found so far. */
export interface Lineage {
  jobIds: Set<string>;
  assetIds: Set<string>;
}

export interface LineageContext {
  em: EntityManager;
  store: ObjectStore;
}

/** Adds to `found` what was made from what it holds; true when it added anything. */
export type LineageStep = (ctx: LineageContext, found: Lineage) => Promise<boolean>;

const addAll = (set: Set<string>, ids: Iterable<string>): boolean => {
  const before = set.size;
  for (const id of ids) set.add(id);
  return set.size > before;
};
const live = { status: { $in: [...LIVE_ASSET_STATUSES] } };

/** A job's files: its video, temporary renders, anything it stored. */
export const filesOfJobs: LineageStep = async ({ em }, found) => {
  if (found.jobIds.size === 0) return false;
  const assets = await em.find(Asset, { jobId: { $in: [...found.jobIds] }, ...live }, { fields: ['id'] });
  return addAll(
    found.assetIds,
    assets.map((a) => a.id),
  );
};

/** The job that made a generated video is that content too. */
export const jobsOfOutputs: LineageStep = async ({ em }, found) => {
  if (found.assetIds.size === 0) return false;
  const outputs = await em.find(
    Asset,
    { id: { $in: [...found.assetIds] }, kind: 'output', jobId: { $ne: null } },
    { fields: ['jobId'] },
  );
  return addAll(
    found.jobIds,
    outputs.map((a) => a.jobId!),
  );
};

/** Revisions (extend, variation, regenerate) start from a job: made from it. */
export const revisionsOfJobs: LineageStep = async ({ em }, found) => {
  if (found.jobIds.size === 0) return false;
  const revisions = await em.find(
    GenerationJob,
    { parentJobId: { $in: [...found.jobIds] } },
    { fields: ['id'] },
  );
  return addAll(
    found.jobIds,
    revisions.map((j) => j.id),
  );
};

/** Jobs that took an uploaded image as an input are made from it. */
export const jobsUsingInputs: LineageStep = async ({ em }, found) => {
  if (found.assetIds.size === 0) return false;
  const inputs = await em.find(
    Asset,
    { id: { $in: [...found.assetIds] }, kind: 'input' },
    { fields: ['id'] },
  );
  if (inputs.length === 0) return false;
  // One placeholder per id: the driver expands an array parameter into a list, not a SQL array.
  const ids = inputs.map((a) => a.id);
  const rows = await em.execute<{ id: string }[]>(
    `select id from generation_jobs
      where exists (select 1 from jsonb_array_elements(parameters->'inputs') i
                     where i->>'assetId' in (${ids.map(() => '?').join(', ')}))`,
    ids,
  );
  return addAll(
    found.jobIds,
    rows.map((r) => r.id),
  );
};

/** A script project's composed video is made from its scenes' jobs and their clips. */
export const scriptVideosOfScenes: LineageStep = async ({ em }, found) => {
  if (found.jobIds.size === 0 && found.assetIds.size === 0) return false;
  const scenes = await em.find(
    ScriptRevisionScene,
    { $or: [{ jobId: { $in: [...found.jobIds] } }, { clipAssetId: { $in: [...found.assetIds] } }] },
    { fields: ['revision'] },
  );
  if (scenes.length === 0) return false;
  const revisions = await em.find(
    ScriptRevision,
    { id: { $in: [...new Set(scenes.map((s) => s.revision))] }, finalAssetId: { $ne: null } },
    { fields: ['finalAssetId'] },
  );
  return addAll(
    found.assetIds,
    revisions.map((r) => r.finalAssetId!),
  );
};

/**
 * A composed video's subtitles and voice track (R-INTERMEDIATE) are written for it and
 * shown beside it: they go with it. Its scene clips stay unless they are themselves made
 * from the content (the steps above find those): a clean scene another revision uses is
 * not the named content. The creator's own voice recording is an upload, and stays.
 */
export const filesBesideScriptVideos: LineageStep = async ({ em }, found) => {
  if (found.assetIds.size === 0) return false;
  const revisions = await em.find(
    ScriptRevision,
    { finalAssetId: { $in: [...found.assetIds] } },
    { fields: ['subtitlesAssetId', 'voiceTrackAssetId'] },
  );
  return addAll(
    found.assetIds,
    revisions
      .flatMap((r) => [r.subtitlesAssetId, r.voiceTrackAssetId])
      .filter((id): id is string => Boolean(id)),
  );
};

/** Export archives (D-PORT) whose ZIP holds one of the videos found (`videos/<assetId>.mp4`). */
export const exportsHoldingVideos: LineageStep = async ({ em, store }, found) => {
  const videos = await em.find(
    Asset,
    { id: { $in: [...found.assetIds] }, kind: 'output' },
    { fields: ['id', 'user'] },
  );
  if (videos.length === 0) return false;
  const owners = [...new Set(videos.map((v) => v.user).filter((u): u is string => Boolean(u)))];
  // Stored ones only: an archive still being written holds nothing yet, and is checked when done.
  const archives = await em.find(Asset, { user: { $in: owners }, kind: 'export', status: 'stored' });
  const wanted = new Set(videos.map((v) => `videos/${v.id}.mp4`));
  const holding: string[] = [];
  for (const archive of archives) {
    if (found.assetIds.has(archive.id)) continue;
    const names = await zipEntryNames(store, archive.objectKey).catch(() => null);
    // An archive that cannot be read may hold it: removing a copy of one's own export errs safe.
    if (!names || names.some((n) => wanted.has(n))) holding.push(archive.id);
  }
  return addAll(found.assetIds, holding);
};

/** Every step, in the order they are tried; append a step for content made another way. */
export const LINEAGE_STEPS: LineageStep[] = [
  jobsOfOutputs,
  filesOfJobs,
  revisionsOfJobs,
  jobsUsingInputs,
  scriptVideosOfScenes,
  filesBesideScriptVideos,
  exportsHoldingVideos,
];

/** The named job or file and everything made from it, by every step, until nothing new is found. */
export async function madeFrom(
  ctx: LineageContext,
  target: { type: 'job' | 'asset'; id: string },
  steps: readonly LineageStep[] = LINEAGE_STEPS,
): Promise<Lineage> {
  const found: Lineage = {
    jobIds: new Set(target.type === 'job' ? [target.id] : []),
    assetIds: new Set(target.type === 'asset' ? [target.id] : []),
  };
  for (let grew = true; grew;) {
    grew = false;
    for (const step of steps) if (await step(ctx, found)) grew = true;
  }
  return found;
}
