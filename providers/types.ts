// One interface for every video provider. Each adapter speaks its provider's real HTTP
// API and translates statuses and errors into the project's own vocabulary, so the
// generation workflow never sees a provider's names.
import type { InputRole, ProviderName } from '../domain/models.ts';

export type { InputRole };

export interface GenerationRequest {
  /** Our job id; adapters send it where the provider keeps a reference, for reconciliation. */
  jobId: string;
  /** The provider's own model name (ModelSpec.providerModel). */
  providerModel: string;
  prompt: string;
  negativePrompt?: string;
  durationSeconds: number;
  /** `16:9`, `9:16`, `1:1`, … */
  aspectRatio: string;
  /** `540p`, `720p`, `1080p`, … */
  resolution: string;
  seed?: number;
  /**
   * Whether the provider should add a soundtrack, where it can (Seedance, Veo); unset
   * leaves the adapter's default.
   */
  generateAudio?: boolean;
  /** Short-lived presigned URLs of the user's uploads in our storage. */
  inputs: { url: string; role: InputRole }[];
  /** Where the provider should call back (signed, carries the job id); absent when it has no webhooks. */
  webhookUrl?: string;
}

/** The project's own task statuses, whatever the provider calls them. */
export type ProviderTaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export type ProviderErrorCode =
  /** The prompt or an input was refused by the provider's moderation. */
  | 'moderation_input'
  /** The video was rendered and then refused by the provider's moderation. */
  | 'moderation_output'
  | 'rate_limited'
  /** 5xx, overloaded, connection refused: try again later. */
  | 'unavailable'
  /** Our account at the provider is out of credits or overdue. */
  | 'provider_account'
  | 'invalid_request'
  | 'unauthorized'
  | 'not_found'
  | 'timeout'
  | 'internal';

export interface ProviderFailure {
  code: ProviderErrorCode;
  message: string;
}

export interface ProviderTaskState {
  taskId: string;
  status: ProviderTaskStatus;
  /** 0..1 where the provider reports it. */
  progress?: number;
  queuePosition?: number;
  etaSeconds?: number;
  /** Where the finished video can be downloaded (expires at the provider). */
  outputUrl?: string;
  failure?: ProviderFailure;
}

/** A failed call to a provider, classified so the workflow knows whether to retry. */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly httpStatus?: number;
  /**
   * True when the request may have reached the provider and been accepted although we
   * got no answer (a timeout or a dropped connection after sending). A submit that
   * fails this way must be reconciled, never blindly sent again.
   */
  readonly outcomeUnknown: boolean;
  constructor(
    code: ProviderErrorCode,
    message: string,
    options: {
      retryable?: boolean;
      retryAfterMs?: number;
      httpStatus?: number;
      outcomeUnknown?: boolean;
    } = {},
  ) {
    super(message);
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.httpStatus = options.httpStatus;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

export interface ProviderAdapter {
  readonly name: ProviderName;
  /** Starts a task; resolves with the provider's task id. */
  submit(request: GenerationRequest): Promise<ProviderTaskState>;
  getTask(taskId: string): Promise<ProviderTaskState>;
  /** Cancels (or deletes, where that is the provider's way) a task; idempotent. */
  cancel(taskId: string): Promise<void>;
  /**
   * Finds the task a job submitted before a crash left the outcome unknown, through the
   * provider's own API (listing, echoed callback URLs). Null when there is none; absent
   * when the provider offers no way to tell.
   */
  findTask?(request: GenerationRequest): Promise<ProviderTaskState | null>;
  /** Reads a webhook delivery; null when the body is not a task update. */
  parseWebhook?(body: unknown): ProviderTaskState | null;
  /**
   * Asks the provider to erase a task and its inputs and outputs (D-RECIPIENTS).
   * `not_supported` when the provider has no such endpoint.
   */
  deleteTask?(taskId: string): Promise<'deleted' | 'not_found' | 'not_supported'>;
}
