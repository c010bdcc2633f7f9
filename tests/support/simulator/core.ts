// The simulator's provider-neutral heart: one task store with a lifecycle driven by real
// timers, the faults that bend it, and webhook delivery. Each provider module only
// translates between this and its provider's wire format.
import { randomUUID } from 'node:crypto';

export const SIM_PROVIDERS = ['runway', 'luma', 'pika', 'seedance', 'veo'] as const;
export type SimProvider = (typeof SIM_PROVIDERS)[number];

export type SimStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type SimFailure = 'moderation_input' | 'moderation_output' | 'internal';

/** Time a task waits in the queue and renders, unless changed. Short: tests poll it. */
export const DEFAULT_QUEUE_MS = 50;
export const DEFAULT_RENDER_MS = 300;
/** A webhook delivery that takes longer than this is abandoned, like a provider would. */
export const WEBHOOK_TIMEOUT_MS = 5000;
/** A stuck task shows this progress forever. */
const STUCK_PROGRESS = 0.42;

/** Prompt markers that trigger a behaviour for one task, for end-to-end tests. */
export const PROMPT_MARKERS = {
  moderateInput: 'sim:moderate-input',
  moderateOutput: 'sim:moderate-output',
  stuck: 'sim:stuck',
  loseWebhook: 'sim:lose-webhook',
} as const;

export interface Faults {
  /** Delay before every answer (after the request was processed). */
  latencyMs: number;
  /** The next `count` requests are answered with this status instead of being processed. */
  failNext?: { count: number; status: number; retryAfterSeconds?: number };
  /** The next `count` requests are processed, then the connection is cut without an answer. */
  dropNext?: number;
  /**
   * Refuse the input: `true` where the provider does it (at submit or as a failed task),
   * or force one place.
   */
  moderateInput: boolean | 'submit' | 'task';
  /** Render, then fail the task with the provider's output-moderation code. */
  moderateOutput: boolean;
  /** Finish tasks without sending their webhooks. */
  loseWebhooks: boolean;
  /** Tasks start and never finish. */
  stuck: boolean;
  queueMs: number;
  renderMs: number;
  /** Tasks are finished the moment they are created (benchmarks). */
  instant: boolean;
  /** Answer creates with the provider's out-of-credits / overdue error. */
  accountError: boolean;
  /** Answer everything with 401. */
  unauthorized: boolean;
}

export const DEFAULT_FAULTS: Faults = {
  latencyMs: 0,
  moderateInput: false,
  moderateOutput: false,
  loseWebhooks: false,
  stuck: false,
  queueMs: DEFAULT_QUEUE_MS,
  renderMs: DEFAULT_RENDER_MS,
  instant: false,
  accountError: false,
  unauthorized: false,
};

export interface SimTask {
  id: string;
  provider: SimProvider;
  model: string;
  /** The create request's body as received. */
  request: Record<string, unknown>;
  prompt: string;
  webhookUrl?: string;
  /** fal's app id (`fal-ai/pika`), under which status and result are read. */
  appId?: string;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  status: SimStatus;
  failure?: SimFailure;
  outputUrl?: string;
  /** Soft-deleted: answers 404 from now on. */
  deleted: boolean;
  plan: {
    moderateInput: boolean;
    moderateOutput: boolean;
    stuck: boolean;
    loseWebhook: boolean;
    renderMs: number;
  };
  timers: NodeJS.Timeout[];
}

export interface WebhookDelivery {
  provider: SimProvider;
  taskId: string;
  url: string;
  body: unknown;
  /** HTTP status of our receiver, or the error text, or 'lost' when it was never sent. */
  outcome: number | string;
}

export interface SimHooks {
  /** Provider-specific webhook body for a finished task. */
  webhookBody(task: SimTask): unknown;
  /** Where the finished video is served. */
  fileUrl(task: SimTask): string;
  /** Headers a provider adds to a delivery of this exact body (fal's signature). */
  webhookHeaders?(task: SimTask, rawBody: string): Record<string, string>;
}

export class SimState {
  readonly tasks = new Map<string, SimTask>();
  readonly webhooks: WebhookDelivery[] = [];
  private readonly submissionCounts = new Map<SimProvider, number>();
  private globalFaults: Partial<Faults> = {};
  private readonly providerFaults = new Map<SimProvider, Partial<Faults>>();
  private readonly pendingDeliveries = new Set<Promise<void>>();
  /** Cuts deliveries still under way when the simulator stops. */
  private readonly stopping = new AbortController();
  hooks: Record<SimProvider, SimHooks> | undefined;

  faults(provider: SimProvider): Faults {
    return { ...DEFAULT_FAULTS, ...this.globalFaults, ...this.providerFaults.get(provider) };
  }

  setFaults(faults: Partial<Faults>, provider?: SimProvider): void {
    if (provider) this.providerFaults.set(provider, { ...this.providerFaults.get(provider), ...faults });
    else this.globalFaults = { ...this.globalFaults, ...faults };
  }

  resetFaults(): void {
    this.globalFaults = {};
    this.providerFaults.clear();
  }

  /** Takes one from a `failNext` counter, the provider's own before the global one. */
  takeFailure(provider: SimProvider): Faults['failNext'] {
    for (const store of [this.providerFaults.get(provider), this.globalFaults]) {
      const failNext = store?.failNext;
      if (failNext && failNext.count > 0) {
        store.failNext = { ...failNext, count: failNext.count - 1 };
        return failNext;
      }
    }
    return undefined;
  }

  takeDrop(provider: SimProvider): boolean {
    for (const store of [this.providerFaults.get(provider), this.globalFaults]) {
      if (store?.dropNext && store.dropNext > 0) {
        store.dropNext -= 1;
        return true;
      }
    }
    return false;
  }

  submissions(provider?: SimProvider): number {
    if (provider) return this.submissionCounts.get(provider) ?? 0;
    return [...this.submissionCounts.values()].reduce((a, b) => a + b, 0);
  }

  /** Creates a task and starts its clock. Input moderation "as a task" is planned here. */
  createTask(
    provider: SimProvider,
    details: {
      id?: string;
      model: string;
      request: Record<string, unknown>;
      prompt: string;
      webhookUrl?: string;
      appId?: string;
    },
  ): SimTask {
    const faults = this.faults(provider);
    const prompt = details.prompt;
    const task: SimTask = {
      id: details.id ?? randomUUID(),
      provider,
      model: details.model,
      request: details.request,
      prompt,
      webhookUrl: details.webhookUrl,
      appId: details.appId,
      createdAt: Date.now(),
      status: 'queued',
      deleted: false,
      plan: {
        moderateInput: Boolean(faults.moderateInput) || prompt.includes(PROMPT_MARKERS.moderateInput),
        moderateOutput: faults.moderateOutput || prompt.includes(PROMPT_MARKERS.moderateOutput),
        stuck: faults.stuck || prompt.includes(PROMPT_MARKERS.stuck),
        loseWebhook: faults.loseWebhooks || prompt.includes(PROMPT_MARKERS.loseWebhook),
        renderMs: faults.renderMs,
      },
      timers: [],
    };
    this.tasks.set(task.id, task);
    this.submissionCounts.set(provider, this.submissions(provider) + 1);
    if (faults.instant) {
      this.start(task);
      this.finish(task);
    } else {
      task.timers.push(setTimeout(() => this.start(task), faults.queueMs));
    }
    return task;
  }

  private start(task: SimTask): void {
    if (task.status !== 'queued') return;
    task.status = 'running';
    task.startedAt = Date.now();
    // Input moderation fails a task before any rendering happens.
    if (task.plan.moderateInput) return this.finish(task);
    if (task.plan.stuck) return;
    task.timers.push(setTimeout(() => this.finish(task), task.plan.renderMs));
  }

  /** Ends a task now with its planned outcome (or the one given). */
  finish(task: SimTask, outcome?: 'succeeded' | SimFailure): void {
    if (task.status === 'succeeded' || task.status === 'failed' || task.status === 'cancelled') return;
    for (const timer of task.timers) clearTimeout(timer);
    task.timers = [];
    task.startedAt ??= Date.now();
    task.finishedAt = Date.now();
    const planned: 'succeeded' | SimFailure = task.plan.moderateInput
      ? 'moderation_input'
      : task.plan.moderateOutput
        ? 'moderation_output'
        : 'succeeded';
    const result = outcome ?? planned;
    if (result === 'succeeded') {
      task.status = 'succeeded';
      task.outputUrl = this.hooks?.[task.provider].fileUrl(task);
    } else {
      task.status = 'failed';
      task.failure = result;
    }
    this.notify(task);
  }

  cancel(task: SimTask, options: { notify?: boolean } = {}): void {
    for (const timer of task.timers) clearTimeout(timer);
    task.timers = [];
    task.status = 'cancelled';
    task.finishedAt = Date.now();
    if (options.notify ?? true) this.notify(task);
  }

  /** How far a task is, 0..1, from the clock. */
  progress(task: SimTask): number {
    if (task.status === 'succeeded') return 1;
    if (task.status !== 'running' || task.startedAt === undefined) return 0;
    if (task.plan.stuck) return STUCK_PROGRESS;
    const ratio = (Date.now() - task.startedAt) / Math.max(1, task.plan.renderMs);
    return Math.min(0.99, Math.max(0, ratio));
  }

  /** Tasks queued before this one and still waiting, for queue positions. */
  queuePosition(task: SimTask): number {
    let ahead = 0;
    // The map keeps creation order, which timestamps (same millisecond) would not.
    for (const other of this.tasks.values()) {
      if (other === task) break;
      if (other.provider === task.provider && other.status === 'queued') ahead += 1;
    }
    return ahead;
  }

  private notify(task: SimTask): void {
    if (!task.webhookUrl || !this.hooks) return;
    const body = this.hooks[task.provider].webhookBody(task);
    const delivery: WebhookDelivery = {
      provider: task.provider,
      taskId: task.id,
      url: task.webhookUrl,
      body,
      outcome: 'lost',
    };
    this.webhooks.push(delivery);
    if (task.plan.loseWebhook) return;
    const rawBody = JSON.stringify(body);
    const sending = fetch(task.webhookUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...this.hooks[task.provider].webhookHeaders?.(task, rawBody),
      },
      body: rawBody,
      signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), this.stopping.signal]),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        delivery.outcome = res.status;
      })
      .catch((err: unknown) => {
        delivery.outcome = err instanceof Error ? err.message : String(err);
      })
      .finally(() => this.pendingDeliveries.delete(sending));
    this.pendingDeliveries.add(sending);
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.values()) for (const timer of task.timers) clearTimeout(timer);
    this.stopping.abort();
    await Promise.allSettled([...this.pendingDeliveries]);
  }
}
