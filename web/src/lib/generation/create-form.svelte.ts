// The create page's state: where the form starts (a refused or quoted submission, the
// earlier job of a revision, the creator's default settings, the first model), what it
// would send, and the live price (a quote asked for a moment after each change, kept only
// while it matches what the form would send).
import { untrack } from 'svelte';
import type { JobView, OfferedModel, Quote } from '../../../../domain/contracts/generation.ts';
import type { RevisionKind } from '../../../../domain/generation.ts';
import type { GenerationDefaults } from '../accounts/types.ts';
import { browserApi } from '../api/browser.ts';
import { withCsrf } from '../api/csrf.ts';
import { fieldMessages, friendlyMessage } from '../api/errors.ts';
import {
  decodeInputs,
  encodeInput,
  estimateCredits,
  requestFrom,
  settingOptions,
  type CreateValues,
} from './create.ts';
import { ReferenceImages } from './uploads.svelte.ts';

/** How long typing must pause before the price is asked for. */
const QUOTE_DELAY_MS = 350;
/** A quote is sent along only while it is good for this much longer. */
const QUOTE_MARGIN_MS = 30_000;

export interface CreateStart {
  models: OfferedModel[];
  defaults: GenerationDefaults;
  parent: JobView | null;
  revisionKind: RevisionKind | null;
  idempotencyKey: string;
  /** What a refused or quoted submission sent, to start from again. */
  sent?: Partial<CreateValues>;
  /** The price shown after a submission without JavaScript. */
  quoted?: Quote | null;
}

export class CreateForm {
  readonly models: OfferedModel[];
  readonly parentJobId: string;
  readonly revisionKind: string;
  readonly images: ReferenceImages;

  modelId = $state('');
  prompt = $state('');
  negativePrompt = $state('');
  durationSeconds = $state('');
  aspectRatio = $state('');
  resolution = $state('');
  seed = $state('');
  fallbackAllowed = $state(false);
  idempotencyKey = $state('');
  /** Set once the page runs in the browser: lists follow the chosen model from then on. */
  hydrated = $state(false);

  quote = $state<{ key: string; value: Quote } | null>(null);
  quoteProblems = $state<string[]>([]);
  quoting = $state(false);
  #quoteSeq = 0;

  constructor(start: CreateStart) {
    const { models, defaults, parent, sent } = start;
    this.models = models;
    const known = (id: string | undefined): id is string => Boolean(id && models.some((m) => m.id === id));
    this.modelId = [sent?.modelId, parent?.model.id, defaults.model, models[0]?.id].find(known) ?? '';
    const pp = parent?.parameters;
    const own: GenerationDefaults = !parent && defaults.model === this.modelId ? defaults : {};
    this.prompt = sent?.prompt ?? parent?.prompt ?? '';
    this.negativePrompt = sent?.negativePrompt ?? pp?.negativePrompt ?? '';
    this.durationSeconds = sent?.durationSeconds ?? String(pp?.durationSeconds ?? own.durationSeconds ?? '');
    this.aspectRatio = sent?.aspectRatio ?? pp?.aspectRatio ?? own.aspectRatio ?? '';
    this.resolution = sent?.resolution ?? pp?.resolution ?? own.resolution ?? '';
    // A revision gets a new seed (the same one would make the same video).
    this.seed = sent?.seed ?? '';
    this.fallbackAllowed = sent
      ? sent.fallbackAllowed === 'on' || sent.fallbackAllowed === 'true'
      : Boolean(pp?.fallbackAllowed);
    this.idempotencyKey = sent?.idempotencyKey || start.idempotencyKey;
    this.parentJobId = parent?.id ?? '';
    this.revisionKind = start.revisionKind ?? '';
    this.images = new ReferenceImages(
      sent?.inputs ? decodeInputs(sent.inputs.split(/\s+/).filter(Boolean)) : (pp?.inputs ?? []),
    );
    if (start.quoted) this.quote = { key: '', value: start.quoted };
  }

  model = $derived.by(() => this.models.find((m) => m.id === this.modelId));

  /**
   * Without JavaScript, choosing another model cannot change the lists: every choice is
   * offered and the API says what the chosen model cannot do.
   */
  options = $derived.by(() =>
    settingOptions(this.models, this.hydrated || this.models.length === 1 ? this.model : undefined),
  );

  values = $derived.by<CreateValues>(() => ({
    modelId: this.modelId,
    prompt: this.prompt,
    negativePrompt: this.model?.negativePrompt ? this.negativePrompt : '',
    durationSeconds: this.durationSeconds,
    aspectRatio: this.aspectRatio,
    resolution: this.resolution,
    seed: this.model?.seed ? this.seed : '',
    fallbackAllowed: this.fallbackAllowed ? 'on' : '',
    inputs: this.images.ready.map(encodeInput).join(' '),
    quoteId: '',
    parentJobId: this.parentJobId,
    revisionKind: this.revisionKind,
    idempotencyKey: this.idempotencyKey,
  }));

  request = $derived(requestFrom(this.values));
  requestKey = $derived(JSON.stringify(this.request));

  /** The quote for what the form would send now; before hydration, the one a plain post got. */
  currentQuote = $derived(
    this.quote && (this.quote.key === this.requestKey || (!this.hydrated && this.quote.key === ''))
      ? this.quote.value
      : null,
  );

  credits = $derived(
    this.currentQuote?.credits ?? estimateCredits(this.model, Number(this.durationSeconds), this.resolution),
  );

  wantsPrompt = $derived.by(() => this.prompt.trim().length > 0 || this.images.ready.length > 0);

  quoteIdToSend = $derived(
    this.currentQuote && Date.parse(this.currentQuote.expiresAt) - Date.now() > QUOTE_MARGIN_MS
      ? this.currentQuote.quoteId
      : '',
  );

  /** Asks for the price a moment after each change, while `allowed` (call while the page starts). */
  followPrice(allowed: () => boolean): void {
    $effect(() => {
      const key = this.requestKey;
      const body = this.request;
      if (!this.hydrated || !this.wantsPrompt || this.images.uploading || !allowed()) {
        untrack(() => (this.quoteProblems = []));
        return;
      }
      const seq = ++this.#quoteSeq;
      const timer = setTimeout(async () => {
        this.quoting = true;
        const result = await withCsrf((token) => browserApi.generation.quote(body, token));
        if (seq !== this.#quoteSeq) return;
        this.quoting = false;
        if (result.ok) {
          this.quote = { key, value: result.data };
          this.quoteProblems = [];
        } else {
          this.quote = null;
          const fields = Object.values(fieldMessages(result.problem));
          this.quoteProblems = fields.length ? fields : [friendlyMessage(result.problem)];
        }
      }, QUOTE_DELAY_MS);
      return () => clearTimeout(timer);
    });
  }
}
