// What the API takes and gives for script projects: the project and its scenes as the
// creator edits them, the whole project's quote, runs, the live view, revisions and
// their comparison. One schema for the API's validation and OpenAPI document, and the
// site's types (`z.infer`).
import { z } from 'zod';
import { JOB_STATUSES } from '../generation.ts';
import {
  MAX_SCENES,
  MAX_SCENE_TEXT_LENGTH,
  MAX_SCRIPT_LENGTH,
  MAX_TITLE_LENGTH,
  PROJECT_PAGE_SIZE,
  PROJECT_PAGE_SIZE_MAX,
  REVISION_STATUSES,
  RUN_PHASES,
  SCRIPT_FORMATS,
  SCRIPT_STATUSES,
  SPLIT_METHODS,
  VOICE_LANGUAGES,
} from '../script.ts';
import { nextCursor, pageQuery } from './page.ts';

const settings = {
  title: z.string().trim().min(1).max(MAX_TITLE_LENGTH),
  aspectRatio: z.string().min(1).max(16),
  resolution: z.string().min(1).max(16),
  /** The creator's voice recording (an uploaded audio file); null: speech made on the box. */
  voiceAssetId: z.uuid().nullable(),
  voiceLanguage: z.enum(VOICE_LANGUAGES),
  /** Subtitles drawn into the picture, besides the subtitle track and the WebVTT file. */
  burnSubtitles: z.boolean(),
};

export const createScriptBody = z.object({
  title: settings.title,
  script: z.string().max(MAX_SCRIPT_LENGTH),
  format: z.enum(SCRIPT_FORMATS).default('text'),
  aspectRatio: settings.aspectRatio.default('16:9'),
  resolution: settings.resolution.default('720p'),
  /** The model every scene starts with; each scene may change it. */
  modelId: z.string().min(1).max(64).default('local-v1'),
  voiceAssetId: settings.voiceAssetId.default(null),
  voiceLanguage: settings.voiceLanguage.default('en'),
  burnSubtitles: settings.burnSubtitles.default(false),
});
export type CreateScriptBody = z.infer<typeof createScriptBody>;
export type CreateScriptInput = z.input<typeof createScriptBody>;

export const updateScriptBody = z
  .object({ ...settings, script: z.string().max(MAX_SCRIPT_LENGTH), format: z.enum(SCRIPT_FORMATS) })
  .partial();
export type UpdateScriptBody = z.infer<typeof updateScriptBody>;

export const splitBody = z.object({
  method: z.enum(SPLIT_METHODS).default('local'),
  /** The model the new scenes start with; the project's first scene's by default. */
  modelId: z.string().min(1).max(64).optional(),
});
export type SplitBody = z.infer<typeof splitBody>;

const sceneFields = {
  text: z.string().trim().min(1).max(MAX_SCENE_TEXT_LENGTH),
  durationSeconds: z.number().int().positive(),
  modelId: z.string().min(1).max(64),
  /** A reference image (one of the creator's uploads) for models that take one. */
  imageAssetId: z.uuid().nullable(),
};

export const sceneInput = z.object({
  /** An existing scene keeps its id (and its clip, if nothing that matters changed). */
  id: z.uuid().optional(),
  ...sceneFields,
  imageAssetId: sceneFields.imageAssetId.default(null),
});
export const replaceScenesBody = z.object({ scenes: z.array(sceneInput).min(1).max(MAX_SCENES) });
export type ReplaceScenesBody = z.infer<typeof replaceScenesBody>;
export type ReplaceScenesInput = z.input<typeof replaceScenesBody>;

export const patchSceneBody = z.object(sceneFields).partial();
export type PatchSceneBody = z.infer<typeof patchSceneBody>;

/** Why a scene is rendered in the next run, or that its clip is kept. */
export const RENDER_REASONS = ['new', 'edited', 'retry', 'kept'] as const;

export const sceneView = z.object({
  id: z.uuid(),
  position: z.number(),
  text: z.string(),
  durationSeconds: z.number(),
  model: z.object({ id: z.string(), label: z.string() }),
  imageAssetId: z.uuid().nullable(),
  /** What the next run does with this scene. */
  next: z.enum(RENDER_REASONS),
  /** The job that rendered (or renders) the scene's current clip, live. */
  job: z
    .object({
      id: z.uuid(),
      status: z.enum(JOB_STATUSES),
      progress: z.number().nullable(),
      message: z.string().nullable(),
    })
    .nullable(),
  clipAssetId: z.uuid().nullable(),
});
export type SceneView = z.infer<typeof sceneView>;

export const videoRef = z.object({
  revision: z.number(),
  assetId: z.uuid(),
  subtitlesAssetId: z.uuid().nullable(),
  deleteAt: z.string().nullable(),
});

export const projectView = z.object({
  id: z.uuid(),
  title: z.string(),
  script: z.string(),
  format: z.enum(SCRIPT_FORMATS),
  splitMethod: z.enum(SPLIT_METHODS),
  aspectRatio: z.string(),
  resolution: z.string(),
  voiceAssetId: z.uuid().nullable(),
  voiceLanguage: z.enum(VOICE_LANGUAGES),
  burnSubtitles: z.boolean(),
  status: z.enum(SCRIPT_STATUSES),
  phase: z.enum(RUN_PHASES).nullable(),
  /** 0..1 of the composition, while composing. */
  phaseProgress: z.number().nullable(),
  message: z.string().nullable(),
  latestRevision: z.number().nullable(),
  /**
   * When the running run's cancel was asked for while part of the platform did not
   * answer (the cancel is made once it answers); null otherwise, and once the run ended.
   */
  cancelRequestedAt: z.string().nullable(),
  /** The newest video still stored. */
  video: videoRef.nullable(),
  scenes: z.array(sceneView),
  totalSeconds: z.number(),
  /** Splitters offered here: the built-in one, and a language model when configured. */
  splitMethods: z.array(z.enum(SPLIT_METHODS)),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProjectView = z.infer<typeof projectView>;

export const projectSummary = projectView.pick({
  id: true,
  title: true,
  status: true,
  latestRevision: true,
  updatedAt: true,
  createdAt: true,
});
export const projectListQuery = z.object({
  ...pageQuery(PROJECT_PAGE_SIZE, PROJECT_PAGE_SIZE_MAX),
});
export type ProjectListQuery = z.infer<typeof projectListQuery>;
export const projectPage = z.object({
  projects: z.array(projectSummary),
  nextCursor,
});
export type ProjectPage = z.infer<typeof projectPage>;

export const projectQuote = z.object({
  /** The whole run's price: the sum of the scenes it renders (kept clips cost nothing). */
  credits: z.number(),
  /** Names exactly this plan: a run with it is refused if anything changed since. */
  quoteHash: z.string(),
  scenes: z.array(
    z.object({ position: z.number(), sceneId: z.uuid(), next: z.enum(RENDER_REASONS), credits: z.number() }),
  ),
  balance: z.number(),
});
export type ProjectQuote = z.infer<typeof projectQuote>;

export const runBody = z.object({ quoteHash: z.string().min(1).max(128) });
export type RunBody = z.infer<typeof runBody>;

export const revisionScene = z.object({
  position: z.number(),
  text: z.string(),
  durationSeconds: z.number(),
  modelId: z.string(),
  imageAssetId: z.uuid().nullable(),
  jobId: z.uuid(),
  /** Rendered in this revision's run; false: the clip of an earlier run, kept. */
  rendered: z.boolean(),
  clipAssetId: z.uuid().nullable(),
});

const fileRef = z.object({ assetId: z.uuid(), status: z.string(), deleteAt: z.string().nullable() });

export const revisionView = z.object({
  number: z.number(),
  status: z.enum(REVISION_STATUSES),
  createdAt: z.string(),
  composedAt: z.string().nullable(),
  durationSeconds: z.number(),
  credits: z.number(),
  burnSubtitles: z.boolean(),
  voice: z.enum(['recording', 'speech']),
  message: z.string().nullable(),
  video: fileRef.nullable(),
  subtitles: fileRef.nullable(),
  voiceTrack: fileRef.nullable(),
  scenes: z.array(revisionScene),
});
export type RevisionView = z.infer<typeof revisionView>;
export const revisionList = z.object({ revisions: z.array(revisionView) });

/** Two revisions; by default the newest and the one before it. */
export const compareQuery = z.object({
  from: z.coerce.number().int().min(1).optional(),
  to: z.coerce.number().int().min(1).optional(),
});
export type CompareQuery = z.infer<typeof compareQuery>;
export const revisionComparison = z.object({
  from: z.number(),
  to: z.number(),
  scenes: z.array(
    z.object({
      position: z.number(),
      change: z.enum(['same', 'edited', 'added', 'removed']),
      fields: z.array(z.enum(['text', 'durationSeconds', 'modelId', 'imageAssetId'])),
      clipChanged: z.boolean(),
    }),
  ),
});
export type RevisionComparison = z.infer<typeof revisionComparison>;

/** An uploaded script file, read from its bytes. */
/** A script file sent to be read: one file in a multipart/form-data body. */
export const scriptFileUpload = z.object({
  file: z.string().meta({ format: 'binary', description: 'The script: a .txt or .srt file.' }),
});

export const scriptFile = z.object({
  script: z.string(),
  format: z.enum(SCRIPT_FORMATS),
  /** How many scenes the built-in splitter makes of it. */
  scenes: z.number(),
});
export type ScriptFile = z.infer<typeof scriptFile>;
