// What the API takes and gives for generation: offered models, quotes, jobs, their live
// view and the review queue. One schema for the API's validation and OpenAPI document,
// and the site's types (`z.infer`).
import { z } from 'zod';
import {
  IDEMPOTENCY_KEY_PATTERN,
  JOB_PAGE_SIZE,
  JOB_PAGE_SIZE_MAX,
  JOB_STATUSES,
  REVISION_KINDS,
} from '../generation.ts';
import { REVIEW_KINDS, REVIEW_SUBJECTS } from '../moderation.ts';
import { INPUT_ROLES, MAX_SEED } from '../models.ts';
import { heldUpload, imageScores, reviewView } from './moderation.ts';
import { nextCursor, pageQuery } from './page.ts';

export const offeredModel = z.object({
  id: z.string(),
  label: z.string(),
  provider: z.string(),
  durations: z.array(z.number()),
  aspectRatios: z.array(z.string()),
  resolutions: z.array(z.string()),
  inputRoles: z.array(z.enum(INPUT_ROLES)),
  maxInputs: z.number(),
  imageRequired: z.boolean(),
  promptMaxLength: z.number(),
  negativePrompt: z.boolean(),
  seed: z.boolean(),
  /** Whole credits per second of video, by resolution. */
  creditsPerSecond: z.record(z.string(), z.number()),
});
export type OfferedModel = z.infer<typeof offeredModel>;
export const modelList = z.object({ models: z.array(offeredModel) });

/**
 * A request every deployment can serve (the built-in renderer), shown in the document: the
 * rules of each model (durations, ratios, resolutions) are in GET /api/models.
 */
const jobRequestExample = {
  modelId: 'local-v1',
  prompt: 'a calm lake at dawn, mist over the water',
  durationSeconds: 2,
  aspectRatio: '16:9',
  resolution: '540p',
};

export const jobRequest = z
  .object({
    modelId: z.string().min(1).max(64),
    prompt: z.string().max(10_000),
    negativePrompt: z.string().max(2000).optional(),
    durationSeconds: z.number().int().positive(),
    aspectRatio: z.string().min(1).max(16),
    resolution: z.string().min(1).max(16),
    seed: z.number().int().min(0).max(MAX_SEED).optional(),
    inputs: z
      .array(z.object({ assetId: z.uuid(), role: z.enum(INPUT_ROLES) }))
      .max(8)
      .default([]),
    /** The user allows another provider when the chosen one is down, at no higher price. */
    fallbackAllowed: z.boolean().default(false),
  })
  .meta({ examples: [jobRequestExample] });
export type JobRequest = z.infer<typeof jobRequest>;
export type JobRequestInput = z.input<typeof jobRequest>;

export const createJobBody = jobRequest
  .extend({
    quoteId: z.uuid().optional(),
    parentJobId: z.uuid().optional(),
    revisionKind: z.enum(REVISION_KINDS).optional(),
  })
  .meta({ examples: [jobRequestExample] });
export type CreateJobBody = z.infer<typeof createJobBody>;
export type CreateJobInput = z.input<typeof createJobBody>;

/** The header that makes a create safe to retry: the same key answers with the same job. */
export const idempotencyKey = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? 'Required: a unique key per job (8 to 128 letters, digits, . _ : -), reused when retrying.'
        : 'Must be a string.',
  })
  .regex(IDEMPOTENCY_KEY_PATTERN, {
    error: (issue) =>
      `Must be 8 to 128 letters, digits, . _ : - (this one has ${String(issue.input).length} characters${
        /^[A-Za-z0-9_.:-]*$/.test(String(issue.input)) ? '' : ', some not allowed'
      }).`,
  })
  .meta({
    description: 'A unique key per job, reused when retrying: the same key answers with the same job.',
    example: 'job-2026-11-01-a1b2c3d4',
  });

export const createJobHeaders = z.object({ 'Idempotency-Key': idempotencyKey });

export const quote = z.object({
  quoteId: z.uuid(),
  credits: z.number(),
  expiresAt: z.string(),
  model: z.object({ id: z.string(), label: z.string(), provider: z.string() }),
  /** Models the job may move to when the chosen one is down (only with `fallbackAllowed`). */
  fallbacks: z.array(
    z.object({ modelId: z.string(), label: z.string(), credits: z.number(), difference: z.number() }),
  ),
});
export type Quote = z.infer<typeof quote>;

export const jobView = z.object({
  id: z.uuid(),
  status: z.enum(JOB_STATUSES),
  model: z.object({ id: z.string(), label: z.string(), provider: z.string() }),
  fellBackFrom: z.string().nullable(),
  prompt: z.string(),
  parameters: z.object({
    negativePrompt: z.string().optional(),
    durationSeconds: z.number().optional(),
    aspectRatio: z.string().optional(),
    resolution: z.string().optional(),
    seed: z.number().optional(),
    inputs: z.array(z.object({ assetId: z.string(), role: z.enum(INPUT_ROLES) })).optional(),
    fallbackAllowed: z.boolean().optional(),
  }),
  credits: z.object({ quoted: z.number(), charged: z.number().nullable() }),
  /** 0..1 where known. */
  progress: z.number().nullable(),
  queuePosition: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  message: z.string().nullable(),
  failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  output: z.object({ assetId: z.uuid(), deleteAt: z.string().nullable() }).nullable(),
  parentJobId: z.uuid().nullable(),
  revisionKind: z.enum(REVISION_KINDS).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** When the status last changed. */
  statusChangedAt: z.string().nullable(),
  generationSeconds: z.number().nullable(),
  /** D-ADM: the person's review asked for after an automatic refusal, if any. */
  review: reviewView.nullable(),
  /** Refused automatically, not yet reviewed: the creator may ask a person (D-ADM). */
  reviewRequestable: z.boolean(),
  /** For a job that re-runs a refused one for a person's review: that job. */
  reviewOfJobId: z.uuid().nullable(),
  /**
   * A cancel asked for while part of the platform did not answer: it is made once it
   * answers (a job that ends first ends as it would have). Null once the job has ended.
   */
  cancelRequestedAt: z.string().nullable(),
  /** S-TAKEDOWN: removed after an upheld take-down request; its video is gone. */
  takenDown: z.object({ at: z.string(), reason: z.string() }).nullable(),
});
export type JobView = z.infer<typeof jobView>;

export const jobListQuery = z.object({
  status: z.enum(JOB_STATUSES).optional(),
  modelId: z.string().max(64).optional(),
  ids: z
    .string()
    .transform((value) => value.split(','))
    .pipe(z.array(z.uuid()).max(JOB_PAGE_SIZE_MAX))
    .optional()
    .meta({ description: 'Only these jobs (comma-separated ids): those that made a page of videos.' }),
  ...pageQuery(JOB_PAGE_SIZE, JOB_PAGE_SIZE_MAX),
});
export type JobListQuery = z.infer<typeof jobListQuery>;
/** The same query as a client sends it (the cursor and the ids still strings). */
export type JobListParams = Partial<Omit<JobListQuery, 'cursor' | 'ids'>> & { cursor?: string; ids?: string };

export const jobPage = z.object({ jobs: z.array(jobView), nextCursor });
export type JobPage = z.infer<typeof jobPage>;

export const revisionChain = z.object({ jobs: z.array(jobView) });

/** `GET /api/ops/jobs/:id`. */
export const opsJobView = jobView.extend({ userId: z.uuid().nullable(), temporalUiUrl: z.url() });
export type OpsJobView = z.infer<typeof opsJobView>;

export const heldJob = z.object({
  id: z.uuid(),
  prompt: z.string(),
  model: z.string(),
  categories: z.array(z.string()),
  inputCount: z.number(),
  createdAt: z.string(),
  reviewId: z.uuid(),
  /** Held by automated moderation, or asked for by the creator after a refusal (D-ADM). */
  kind: z.enum(REVIEW_KINDS),
  /** What is reviewed: the prompt (and its images) before the job runs, or its finished video. */
  subject: z.enum(REVIEW_SUBJECTS),
  reason: z.string().nullable(),
  /** The classifier's highest scores over the video's frames (a held video). */
  scores: imageScores.nullable(),
  /** The creator's words when they asked for the review. */
  note: z.string().nullable(),
  reviewOfJobId: z.uuid().nullable(),
});
export type HeldJob = z.infer<typeof heldJob>;
export const reviewQueue = z.object({ jobs: z.array(heldJob), uploads: z.array(heldUpload) });
export type ReviewQueue = z.infer<typeof reviewQueue>;

export const reviewDecisionBody = z.object({
  approve: z.boolean(),
  reason: z.string().trim().min(3).max(1000),
});
export type ReviewDecisionBody = z.infer<typeof reviewDecisionBody>;
export const reviewDecisionResult = z.object({ id: z.uuid(), decision: z.enum(['approved', 'rejected']) });
