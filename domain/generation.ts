// Generation jobs: the project's own status vocabulary (every provider's statuses are
// translated into it), the reasons a job ends without a video, and the job's limits.
import type { InputRole } from './models.ts';
import { DAY, HOUR, MINUTE, SECOND } from './time.ts';
import { storingMaxAttempts } from './storing.ts';

export const JOB_STATUSES = [
  'moderating',
  'awaiting_review',
  'queued',
  'submitted',
  'running',
  'saving',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const END_STATUSES = ['succeeded', 'failed', 'cancelled', 'rejected'] as const;
/** How a job ends. */
export type EndStatus = (typeof END_STATUSES)[number];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = END_STATUSES;
export const isTerminal = (status: JobStatus): boolean => TERMINAL_JOB_STATUSES.includes(status);

/** Why a job ended without a video; each one releases the reserved credits. */
export const FAILURE_CODES = [
  'moderation_refused',
  'review_rejected',
  'review_expired',
  'moderation_output',
  'provider_failed',
  'provider_unavailable',
  'submission_outcome_unknown',
  'timed_out',
  'cancelled',
  'output_unavailable',
  'storage_unavailable',
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** What creators read when a job ends without a video. */
export const FAILURE_MESSAGES: Readonly<Record<FailureCode, string>> = {
  moderation_refused: 'This prompt is not allowed. Your credits were returned.',
  review_rejected: 'Our team did not approve this request. Your credits were returned.',
  review_expired: 'The review took too long, so the job was stopped. Your credits were returned.',
  moderation_output:
    "The provider's safety check refused the finished video. Your credits were returned in full.",
  provider_failed: 'The provider could not make this video. Your credits were returned.',
  provider_unavailable:
    'The provider is unavailable right now. Your credits were returned; please try again later.',
  submission_outcome_unknown:
    'We could not confirm that the provider received the job, so we stopped it rather than risk charging twice. Your credits were returned.',
  timed_out: 'The provider took too long, so the job was stopped. Your credits were returned.',
  cancelled: 'You cancelled this job. Your credits were returned.',
  output_unavailable: "We could not copy the provider's video into storage. Your credits were returned.",
  storage_unavailable:
    'Our storage did not answer, so the video could not be finished. Your credits were returned; please try again.',
};

export const REVISION_KINDS = ['extend', 'variation', 'regenerate'] as const;
export type RevisionKind = (typeof REVISION_KINDS)[number];

/** A job that has not finished by then is stopped and refunded (per job, whatever the provider). */
export const JOB_TIMEOUT_MS = 2 * HOUR;
/** A held job waits this long for a human decision, then ends with a refund. */
export const REVIEW_TIMEOUT_MS = 2 * DAY;
/** Webhooks can be lost: a running task is polled at least this often (never under the provider's minimum). */
export const MAX_POLL_INTERVAL_MS = 30 * SECOND;
/** Downloading the provider's output into our storage must finish within this. */
export const OUTPUT_COPY_TIMEOUT_MS = 10 * MINUTE;
/**
 * The output copy's attempts when the download fails, 2 s apart at first and doubling
 * (workflows/generation.ts); a failure of our own store does not count against them.
 */
export const OUTPUT_COPY_ATTEMPTS = 5;
/**
 * How long an output copy keeps trying while our own storage (the object store, the
 * database) does not answer, from its first attempt: a provider keeps its video at least
 * an hour (providers.md), so the video the person paid for is still there when storage
 * answers again. Before, a store down for 30 s failed the job after 5 attempts and lost
 * the video.
 */
export const OUTPUT_STORE_WAIT_MS = 45 * MINUTE;
/**
 * The retry policy's backstop: as many attempts as the store's wait holds. The copy
 * itself decides when to stop (activities/generation/output.ts).
 */
export const OUTPUT_COPY_MAX_ATTEMPTS = storingMaxAttempts(OUTPUT_COPY_ATTEMPTS, OUTPUT_STORE_WAIT_MS);
/**
 * The built-in render's attempts when it fails (2 s apart at first, doubling); a failure
 * of our own storage does not count against them.
 */
export const RENDER_ATTEMPTS = 3;
/**
 * How long the built-in render keeps trying while our own storage does not answer: long
 * enough for a database failover or a store's restart (a minute or two), short enough
 * that a longer outage ends the job with its credits back rather than leave the person
 * waiting, as nothing paid for is at stake. Before, a database down for 10 s failed the
 * render after its 3 attempts, as the provider's fault.
 */
export const RENDER_STORE_WAIT_MS = 5 * MINUTE;
/** The render's retry policy's backstop, as the copy's. */
export const RENDER_MAX_ATTEMPTS = storingMaxAttempts(RENDER_ATTEMPTS, RENDER_STORE_WAIT_MS);
/**
 * The longest an output copy lasts, every attempt and the waits between them counted,
 * while workers are up to take its attempts: five attempts' downloads, or the store's
 * wait and one more attempt, with a minute for the waits between them.
 */
export const OUTPUT_COPY_MAX_MS =
  Math.max(OUTPUT_COPY_ATTEMPTS * OUTPUT_COPY_TIMEOUT_MS, OUTPUT_STORE_WAIT_MS + OUTPUT_COPY_TIMEOUT_MS) +
  MINUTE;

/**
 * How long a create waits for its job's workflow to start when Temporal does not answer:
 * then the job is saved as unstarted and the person answered, instead of after the
 * Temporal client's own retries (about 20 s). A start takes tens of milliseconds; one
 * slower than this that did reach Temporal is found already started by the sweep.
 */
export const JOB_START_DEADLINE_MS = 5 * SECOND;
/**
 * How long a cancel waits for the job's workflow to take it: then, Temporal not
 * answering, the cancel is recorded for the untold-signals sweep and the person answered.
 * Taking it needs a workflow task on the generation worker (milliseconds; more on a
 * worker busy with many jobs), so twice a start's deadline.
 */
export const JOB_CANCEL_DEADLINE_MS = 2 * JOB_START_DEADLINE_MS;
/**
 * How often what was kept while Temporal did not answer is started or told: jobs, script
 * runs, uploads' retentions, rights requests, take-downs, incidents, and the signals it
 * did not take (activities/sweeps/unstarted-work.ts). Each waits at most a minute once
 * Temporal is back; a run is two Temporal actions (its start and one activity), 2,880 a
 * day.
 */
export const UNSTARTED_JOB_SWEEP_INTERVAL_MS = MINUTE;
/** Jobs, script runs, signals and uploads taken by one run of that sweep, each; the next run takes the rest. */
export const UNSTARTED_SWEEP_BATCH_SIZE = 500;
/**
 * Batches one run reads of each kind at most. A batch is read past the records that stay
 * (Temporal refused them), so up to this many batches of refused records do not hold up
 * the rest; past that, a run stops, rather than ask Temporal again for thousands of
 * records it refuses (an operator sees them: `clipwise_kept_work_oldest_seconds`).
 */
export const UNSTARTED_SWEEP_MAX_BATCHES = 10;
/**
 * The most of Temporal's answer to a refused start or signal that a sweep's result (its
 * workflow's history) and its warning keep: enough for a reason and the record it names
 * (Temporal's messages run to about 150 characters), while a run's result stays small.
 */
export const UNSTARTED_REFUSAL_MAX_CHARS = 300;
/**
 * How long a metrics scrape waits for the count of what waits for that sweep (the api's
 * `clipwise_kept_work`): past it, that scrape leaves the figure out rather than wait for
 * a pool whose connections are all lent, or a database that does not answer. Its query
 * takes under a millisecond with nothing kept, 21 ms with 100,000 rows waiting.
 */
export const KEPT_WORK_READ_TIMEOUT_MS = SECOND;
export const GENERATION_SCHEDULE_IDS = { unstartedJobSweep: 'generation-sweep-unstarted-jobs' } as const;

/** Circuit breaker per provider: this many failures in a row open it for the cool-down. */
export const CIRCUIT_BREAKER = { failureThreshold: 5, coolDownMs: 2 * MINUTE } as const;

/** Idempotency keys: what clients may send in `Idempotency-Key`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** A creator's jobs a page at a time, newest first. */
export const JOB_PAGE_SIZE = 20;
export const JOB_PAGE_SIZE_MAX = 100;

/** What a job was asked to make, as stored on the job (besides its model and prompt). */
export interface JobParameters {
  negativePrompt?: string;
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
  /** Always fixed at creation, so a retried render makes the same video. */
  seed?: number;
  inputs: { assetId: string; role: InputRole }[];
  /** The user allowed another provider, at no higher price, when the chosen one is down. */
  fallbackAllowed?: boolean;
}
