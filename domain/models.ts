// The model catalog: every model a creator can pick, what each accepts, and what it
// costs. Pure data and rules, safe in workflows; the API, the site and the adapters read
// their limits from here so a rule is stated once.
import { SECOND } from './time.ts';

export const PROVIDER_NAMES = ['local', 'runway', 'luma', 'pika', 'seedance', 'veo'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** How an uploaded image is used. Mirrors `InputRole` in providers/types.ts. */
export const INPUT_ROLES = ['first_frame', 'last_frame', 'reference'] as const;
export type InputRole = (typeof INPUT_ROLES)[number];

export const RESOLUTIONS = ['480p', '540p', '720p', '1080p', '4k'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

// ---------------------------------------------------------------- limits

/** Our own ceiling on prompts, whatever the provider accepts. */
export const MAX_PROMPT_LENGTH = 2000;
export const MAX_NEGATIVE_PROMPT_LENGTH = 1000;
/** Runway counts UTF-16 code units, as JavaScript's `length` does. */
export const RUNWAY_MAX_PROMPT_LENGTH = 1000;
export const LUMA_MIN_PROMPT_LENGTH = 3;
export const LUMA_MAX_PROMPT_LENGTH = 5000;
export const VEO_FAST_MAX_PROMPT_LENGTH = 1000;
export const VEO_PRO_MAX_PROMPT_LENGTH = 2000;
/**
 * Prompt limits a provider documents for all its models. Evolink's differ by model (Veo
 * Fast 1000, Veo Pro 2000), so they live on the models; `promptMaxLength` is what counts.
 */
export const PROVIDER_PROMPT_LIMITS: Readonly<Partial<Record<ProviderName, number>>> = Object.freeze({
  runway: RUNWAY_MAX_PROMPT_LENGTH,
  luma: LUMA_MAX_PROMPT_LENGTH,
});
/** Seeds are unsigned 32-bit integers at every provider that takes one. */
export const MAX_SEED = 4_294_967_295;

/** Runway asks API users not to poll a task more often than this. */
export const RUNWAY_MIN_POLL_INTERVAL_MS = 5 * SECOND;
export const LUMA_MIN_POLL_INTERVAL_MS = 3 * SECOND;
/** fal's queue status is cheap and meant to be polled. */
export const FAL_MIN_POLL_INTERVAL_MS = 2 * SECOND;
export const ARK_MIN_POLL_INTERVAL_MS = 3 * SECOND;
export const EVOLINK_MIN_POLL_INTERVAL_MS = 5 * SECOND;
/** The local renderer reports progress itself; polling it is only a fallback. */
export const LOCAL_MIN_POLL_INTERVAL_MS = 1 * SECOND;

const LOCAL_DURATIONS = [2, 3, 4, 5, 6, 8, 10] as const;
const FIVE_OR_TEN = [5, 10] as const;
const LUMA_DURATIONS = [5, 9] as const;
const VEO_DURATIONS = [4, 6, 8] as const;

const LUMA_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9', '9:21'] as const;
const RUNWAY_TURBO_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
const WIDE_AND_TALL = ['16:9', '9:16'] as const;
const PIKA_ASPECTS = ['16:9', '9:16', '1:1', '4:5', '5:4', '3:2', '2:3'] as const;
const SEEDANCE_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4', '21:9'] as const;
const LOCAL_ASPECTS = ['16:9', '9:16', '1:1', '4:3', '3:4'] as const;

// ---------------------------------------------------------------- catalog

export interface ModelSpec {
  /** Our id, stored on jobs and shown in URLs. */
  id: string;
  provider: ProviderName;
  /** The provider's own model name (or, for fal, the model's path without the mode). */
  providerModel: string;
  label: string;
  /** Allowed video lengths in whole seconds, ascending. */
  durations: readonly number[];
  aspectRatios: readonly string[];
  resolutions: readonly Resolution[];
  /** Roles an uploaded image may take; empty when the model takes no images. */
  inputRoles: readonly InputRole[];
  maxInputs: number;
  /** Image-to-video only: a first-frame image must be given. */
  imageRequired: boolean;
  /** The provider takes an end frame only together with a start frame. */
  lastFrameNeedsFirstFrame: boolean;
  /** Reference images cannot be combined with first/last frames in one request. */
  referencesExclusive: boolean;
  promptRequired: boolean;
  promptMinLength: number;
  promptMaxLength: number;
  negativePrompt: boolean;
  seed: boolean;
  /** Whole credits per second of video, by resolution: the single price list. */
  creditsPerSecond: Readonly<Partial<Record<Resolution, number>>>;
  minPollIntervalMs: number;
  /** The provider calls back when a task finishes; without it we only poll. */
  webhooks: boolean;
  /** The provider stops a task on request (at least while it is queued). */
  cancellable: boolean;
  /** After a lost answer to a submit, the adapter can find the task (`findTask`). */
  reconcilable: boolean;
}

const NO_INPUTS = { inputRoles: [], maxInputs: 0, imageRequired: false } as const;
const DEFAULT_RULES = {
  lastFrameNeedsFirstFrame: false,
  referencesExclusive: false,
  promptRequired: true,
  promptMinLength: 1,
  negativePrompt: false,
  seed: false,
} as const;

/** Luma's Ray models take the same inputs and prompts; they differ only in name and price. */
function lumaRay(
  id: string,
  providerModel: string,
  label: string,
  creditsPerSecond: ModelSpec['creditsPerSecond'],
): ModelSpec {
  return {
    ...DEFAULT_RULES,
    id,
    provider: 'luma',
    providerModel,
    label,
    durations: LUMA_DURATIONS,
    aspectRatios: LUMA_ASPECTS,
    resolutions: ['540p', '720p', '1080p', '4k'],
    inputRoles: ['first_frame', 'last_frame'],
    maxInputs: 2,
    imageRequired: false,
    promptMinLength: LUMA_MIN_PROMPT_LENGTH,
    promptMaxLength: Math.min(LUMA_MAX_PROMPT_LENGTH, MAX_PROMPT_LENGTH),
    creditsPerSecond,
    minPollIntervalMs: LUMA_MIN_POLL_INTERVAL_MS,
    webhooks: true,
    cancellable: true,
    reconcilable: true,
  };
}

/** Veo 3.1 and its Fast variant (through Evolink) differ only in name, prompt limit and price. */
function veo(
  id: string,
  providerModel: string,
  label: string,
  promptMaxLength: number,
  creditsPerSecond: ModelSpec['creditsPerSecond'],
): ModelSpec {
  return {
    ...DEFAULT_RULES,
    id,
    provider: 'veo',
    providerModel,
    label,
    durations: VEO_DURATIONS,
    aspectRatios: WIDE_AND_TALL,
    resolutions: ['720p', '1080p'],
    inputRoles: ['first_frame', 'last_frame'],
    maxInputs: 2,
    imageRequired: false,
    lastFrameNeedsFirstFrame: true,
    promptMaxLength,
    negativePrompt: true,
    seed: true,
    creditsPerSecond,
    minPollIntervalMs: EVOLINK_MIN_POLL_INTERVAL_MS,
    webhooks: true,
    // Evolink documents no cancel endpoint: a task runs to its end.
    cancellable: false,
    reconcilable: false,
  };
}

export const MODELS: readonly ModelSpec[] = Object.freeze([
  {
    ...DEFAULT_RULES,
    ...NO_INPUTS,
    id: 'local-v1',
    provider: 'local',
    providerModel: 'local-v1',
    label: 'Clipwise Local',
    durations: LOCAL_DURATIONS,
    aspectRatios: LOCAL_ASPECTS,
    resolutions: ['540p', '720p', '1080p'],
    // Cheap but not free, so the credit flow is exercised end to end without an account.
    promptMaxLength: MAX_PROMPT_LENGTH,
    seed: true,
    creditsPerSecond: { '540p': 1, '720p': 2, '1080p': 3 },
    minPollIntervalMs: LOCAL_MIN_POLL_INTERVAL_MS,
    webhooks: false,
    cancellable: true,
    reconcilable: true,
  },
  {
    ...DEFAULT_RULES,
    id: 'runway-gen4-turbo',
    provider: 'runway',
    providerModel: 'gen4_turbo',
    label: 'Runway Gen-4 Turbo',
    durations: FIVE_OR_TEN,
    aspectRatios: RUNWAY_TURBO_ASPECTS,
    resolutions: ['720p'],
    inputRoles: ['first_frame'],
    maxInputs: 1,
    imageRequired: true,
    promptRequired: false,
    promptMaxLength: RUNWAY_MAX_PROMPT_LENGTH,
    seed: true,
    creditsPerSecond: { '720p': 6 },
    minPollIntervalMs: RUNWAY_MIN_POLL_INTERVAL_MS,
    webhooks: false,
    cancellable: true,
    reconcilable: false,
  },
  {
    ...DEFAULT_RULES,
    id: 'runway-gen4.5',
    provider: 'runway',
    providerModel: 'gen4.5',
    label: 'Runway Gen-4.5',
    durations: FIVE_OR_TEN,
    // The ratios text-to-video and image-to-video both accept.
    aspectRatios: WIDE_AND_TALL,
    resolutions: ['720p'],
    inputRoles: ['first_frame'],
    maxInputs: 1,
    imageRequired: false,
    promptMaxLength: RUNWAY_MAX_PROMPT_LENGTH,
    seed: true,
    creditsPerSecond: { '720p': 15 },
    minPollIntervalMs: RUNWAY_MIN_POLL_INTERVAL_MS,
    webhooks: false,
    cancellable: true,
    reconcilable: false,
  },
  lumaRay('luma-ray-2', 'ray-2', 'Luma Ray 2', { '540p': 8, '720p': 15, '1080p': 32, '4k': 120 }),
  lumaRay('luma-ray-flash-2', 'ray-flash-2', 'Luma Ray Flash 2', {
    '540p': 3,
    '720p': 5,
    '1080p': 11,
    '4k': 40,
  }),
  {
    ...DEFAULT_RULES,
    id: 'pika-2.2',
    provider: 'pika',
    // The adapter appends `/text-to-video` or `/image-to-video`.
    providerModel: 'fal-ai/pika/v2.2',
    label: 'Pika 2.2',
    durations: FIVE_OR_TEN,
    aspectRatios: PIKA_ASPECTS,
    resolutions: ['720p', '1080p'],
    inputRoles: ['first_frame'],
    maxInputs: 1,
    imageRequired: false,
    promptMaxLength: MAX_PROMPT_LENGTH,
    negativePrompt: true,
    seed: true,
    creditsPerSecond: { '720p': 5, '1080p': 10 },
    minPollIntervalMs: FAL_MIN_POLL_INTERVAL_MS,
    webhooks: true,
    // fal cancels a request only while it waits in the queue.
    cancellable: true,
    reconcilable: false,
  },
  {
    ...DEFAULT_RULES,
    id: 'seedance-2.0',
    provider: 'seedance',
    providerModel: 'doubao-seedance-2-0-260128',
    label: 'Seedance 2.0',
    durations: FIVE_OR_TEN,
    aspectRatios: SEEDANCE_ASPECTS,
    resolutions: ['480p', '720p', '1080p'],
    inputRoles: ['first_frame', 'last_frame', 'reference'],
    maxInputs: 4,
    imageRequired: false,
    lastFrameNeedsFirstFrame: true,
    referencesExclusive: true,
    promptMaxLength: MAX_PROMPT_LENGTH,
    seed: true,
    creditsPerSecond: { '480p': 3, '720p': 6, '1080p': 14 },
    minPollIntervalMs: ARK_MIN_POLL_INTERVAL_MS,
    webhooks: true,
    // Ark cancels only queued tasks; a running one finishes and is billed.
    cancellable: true,
    // Ark's task list echoes neither the callback URL nor anything of ours.
    reconcilable: false,
  },
  veo('veo-3.1-fast', 'veo3.1-fast', 'Veo 3.1 Fast', VEO_FAST_MAX_PROMPT_LENGTH, { '720p': 18, '1080p': 20 }),
  veo('veo-3.1-pro', 'veo3.1-pro', 'Veo 3.1', VEO_PRO_MAX_PROMPT_LENGTH, { '720p': 45, '1080p': 50 }),
] satisfies ModelSpec[]);

export function findModel(id: string): ModelSpec | undefined {
  return MODELS.find((m) => m.id === id);
}

export function modelsOf(provider: ProviderName): ModelSpec[] {
  return MODELS.filter((m) => m.provider === provider);
}

// ---------------------------------------------------------------- pricing

/**
 * The one pricing rule: whole credits per second at the chosen resolution, times the
 * length. Throws for a resolution the model does not offer, which validation rules out.
 */
export function quoteCredits(
  model: ModelSpec,
  params: { durationSeconds: number; resolution: string },
): number {
  const perSecond = model.creditsPerSecond[params.resolution as Resolution];
  if (perSecond === undefined) {
    throw new RangeError(`${model.label} has no price at ${params.resolution}`);
  }
  return Math.ceil(perSecond * params.durationSeconds);
}
