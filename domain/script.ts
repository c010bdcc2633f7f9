// Script projects (R-INTERMEDIATE, D-ACCESS): a creator's script split into scenes, each
// scene rendered by a child generation job, a voice track, and ffmpeg's composition into
// one video with subtitles; every composition a revision. The vocabulary, the limits and
// the durations, stated once; pure, so the workflow, the API and the site share them.
import { storingMaxAttempts } from './storing.ts';
import { MINUTE, SECOND } from './time.ts';

/** Where a project stands: being written, running, with a video, or stopped short of one. */
export const SCRIPT_STATUSES = ['draft', 'running', 'ready', 'incomplete', 'cancelled'] as const;
export type ScriptStatus = (typeof SCRIPT_STATUSES)[number];

/** What a running project is doing now (its live state, written by its activities). */
export const RUN_PHASES = ['rendering', 'voicing', 'composing'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** How a run ends: a new revision, or no video (a scene failed, it was cancelled, composing failed). */
export const RUN_OUTCOMES = ['composed', 'incomplete', 'cancelled', 'failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];
export const REVISION_STATUSES = ['running', ...RUN_OUTCOMES] as const;
export type RevisionStatus = (typeof REVISION_STATUSES)[number];

/** The project's status once a run ended so. */
export const STATUS_AFTER_RUN: Readonly<Record<RunOutcome, ScriptStatus>> = {
  composed: 'ready',
  incomplete: 'incomplete',
  cancelled: 'cancelled',
  failed: 'incomplete',
};

/** What creators read when a run ends without a new video. */
export const RUN_MESSAGES: Readonly<Record<Exclude<RunOutcome, 'composed'>, string>> = {
  incomplete:
    'Some scenes could not be made (their credits were returned). Edit or retry them: the scenes already made are kept and not charged again.',
  cancelled:
    'You cancelled this run. Scenes that were not finished were not charged, and the files made for it were deleted.',
  failed:
    'The scenes were made but putting them together failed. Run again to retry: the scenes are kept and not charged again.',
};

/** What a failed run's message adds when our storage did not answer in its voice or composition. */
export const STORAGE_UNAVAILABLE_DETAIL = 'our storage did not answer; nothing was lost';

/** Failures of a run's own steps that no retry can mend: the run ends with what it has. */
export const SCRIPT_FAILURE_TYPES = {
  projectNotFound: 'ProjectNotFound',
  clipMissing: 'ClipMissing',
  voiceUnavailable: 'VoiceUnavailable',
  mediaInvalid: 'MediaInvalid',
  /** A voice track or composition that timed out in every attempt it had. */
  mediaFailed: 'MediaFailed',
} as const;

export const SCRIPT_FORMATS = ['text', 'srt'] as const;
export type ScriptFormat = (typeof SCRIPT_FORMATS)[number];

/** Who splits a script into scenes: the built-in splitter, or a language model when configured. */
export const SPLIT_METHODS = ['local', 'llm'] as const;
export type SplitMethod = (typeof SPLIT_METHODS)[number];

/** espeak-ng voices offered for the speech made on the box when no recording is given. */
export const VOICE_LANGUAGES = ['en', 'en-us', 'fr', 'de', 'es', 'it', 'pt'] as const;
export type VoiceLanguage = (typeof VOICE_LANGUAGES)[number];

// ---------------------------------------------------------------- limits

export const MAX_TITLE_LENGTH = 120;
export const MAX_SCRIPT_LENGTH = 20_000;
/** An uploaded .srt or .txt script: read whole, so small. */
export const MAX_SCRIPT_FILE_BYTES = 256 * 1024;
export const MAX_SCENES = 24;
export const MAX_SCENE_TEXT_LENGTH = 500;
/** A creator's script projects a page at a time, last changed first. */
export const PROJECT_PAGE_SIZE = 20;
export const PROJECT_PAGE_SIZE_MAX = 50;

/**
 * Scenes rendered at once per project: enough to overlap a provider's queue, few enough
 * that one project does not take every render slot (or core) of the queue.
 */
export const SCENE_PARALLELISM = 3;

/** Speech pace the splitter sizes scenes by (150 words a minute). */
export const SPEECH_WORDS_PER_SECOND = 2.5;
/** Words per scene the local splitter aims at before starting a new scene. */
export const TARGET_SCENE_WORDS = 18;

/** espeak-ng's speaking rate (words per minute), raised up to the maximum to fit a scene. */
export const SPEECH_RATE_WPM = 160;
export const MAX_SPEECH_RATE_WPM = 320;

// ---------------------------------------------------------------- durations

/** The voice track: speech made or a recording transcoded, for a few minutes of video. */
export const VOICE_TIMEOUT_MS = 10 * MINUTE;
/** The composition of every scene, the voice and the subtitles into the final video. */
export const COMPOSE_TIMEOUT_MS = 30 * MINUTE;
/**
 * Both heartbeat at least every few seconds while ffmpeg runs: a worker killed mid-way
 * is noticed this soon and the step retried on another (writing the same objects).
 */
export const MEDIA_HEARTBEAT_TIMEOUT_MS = 20 * SECOND;
/**
 * The voice track's and the composition's attempts when they fail (2 s apart at first,
 * doubling); a failure of our own storage does not count against them.
 */
export const MEDIA_ATTEMPTS = 5;
/**
 * How long they keep trying while our own storage (the object store, the database) does
 * not answer: a failover or a store's restart, as the built-in render. The scenes are
 * paid for and kept either way; a longer outage ends the run as failed, to be run again
 * at no charge. Before, a store down for 30 s ended the run after 5 attempts.
 */
export const MEDIA_STORE_WAIT_MS = 5 * MINUTE;
/** Their retry policy's backstop. */
export const MEDIA_MAX_ATTEMPTS = storingMaxAttempts(MEDIA_ATTEMPTS, MEDIA_STORE_WAIT_MS);
/**
 * How long confirming a run waits for its workflow's start when Temporal does not answer,
 * as a job's create: then the run is saved as unstarted (its scenes' credits reserved) and
 * the person answered; the unstarted sweep starts it once Temporal answers. Before, the
 * request waited the Temporal client's own retries (about 20 s), answered 503, and left
 * the project running with its credits reserved until the same confirmation came again.
 */
export const RUN_START_DEADLINE_MS = 5 * SECOND;
/**
 * How long a run's cancel waits for its workflow to take it. Not taken by then (Temporal
 * not answering), the cancel is kept on the run's revision, for the untold-signals sweep,
 * and the person answered. Taking it needs a workflow task on the generation worker, as a
 * job's cancel does: twice a start's deadline.
 */
export const RUN_CANCEL_DEADLINE_MS = 2 * RUN_START_DEADLINE_MS;
/** A language model splitting a script must answer within this. */
export const LLM_REQUEST_TIMEOUT_MS = MINUTE;

// ---------------------------------------------------------------- scenes

export interface SceneDraft {
  text: string;
  durationSeconds: number;
}

/** The shortest allowed duration that fits `seconds`, or the longest allowed one. */
export function snapDuration(seconds: number, allowed: readonly number[]): number {
  const sorted = [...allowed].sort((a, b) => a - b);
  if (sorted.length === 0) throw new RangeError('no durations to choose from');
  return sorted.find((d) => d >= seconds) ?? sorted.at(-1)!;
}

/** How long a scene's text takes to say, at the splitter's pace. */
export function speakingSeconds(text: string): number {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words / SPEECH_WORDS_PER_SECOND));
}

/** Where each scene starts and ends in the composed video, in seconds. */
export function sceneTimeline(durations: readonly number[]): { start: number; end: number }[] {
  let at = 0;
  return durations.map((d) => {
    const span = { start: at, end: at + d };
    at += d;
    return span;
  });
}

/** What changed for each position between two revisions, for the creator's comparison. */
export interface SceneComparison {
  position: number;
  change: 'same' | 'edited' | 'added' | 'removed';
  fields: ('text' | 'durationSeconds' | 'modelId' | 'imageAssetId')[];
  /** The clip itself differs (re-rendered), not just a field. */
  clipChanged: boolean;
}

export interface ComparableScene {
  position: number;
  text: string;
  durationSeconds: number;
  modelId: string;
  imageAssetId: string | null;
  clipAssetId: string | null;
}

export function compareScenes(
  from: readonly ComparableScene[],
  to: readonly ComparableScene[],
): SceneComparison[] {
  const positions = [...new Set([...from, ...to].map((s) => s.position))].sort((a, b) => a - b);
  return positions.map((position) => {
    const a = from.find((s) => s.position === position);
    const b = to.find((s) => s.position === position);
    if (!a || !b) {
      return { position, change: a ? 'removed' : 'added', fields: [], clipChanged: true };
    }
    const fields = (['text', 'durationSeconds', 'modelId', 'imageAssetId'] as const).filter(
      (f) => a[f] !== b[f],
    );
    const clipChanged = a.clipAssetId !== b.clipAssetId;
    return { position, change: fields.length || clipChanged ? 'edited' : 'same', fields, clipChanged };
  });
}
