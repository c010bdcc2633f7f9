// What a generation request may ask of its model: every problem of a request found at
// once, in words a creator understands (so a form can mark each field), and the other
// models a job may fall back to. Pure: the API, the site and the activities share it.
import {
  MAX_NEGATIVE_PROMPT_LENGTH,
  MAX_SEED,
  MODELS,
  findModel,
  quoteCredits,
  type InputRole,
  type ModelSpec,
  type Resolution,
} from './models.ts';

// ---------------------------------------------------------------- validation

export interface GenerationInputRef {
  role: InputRole;
}

export interface GenerationParameters<I extends GenerationInputRef = GenerationInputRef> {
  modelId: string;
  prompt: string;
  negativePrompt?: string;
  durationSeconds: number;
  aspectRatio: string;
  resolution: string;
  seed?: number;
  inputs: readonly I[];
}

export interface ValidGeneration<I extends GenerationInputRef> extends GenerationParameters<I> {
  model: ModelSpec;
  credits: number;
}

export interface ParameterProblem {
  /** The request field at fault (`inputs[1].role` for one input). */
  field: string;
  /** A sentence a creator understands. */
  message: string;
}

export type ValidationResult<I extends GenerationInputRef> =
  { ok: true; value: ValidGeneration<I> } | { ok: false; problems: ParameterProblem[] };

/** "5 or 10", "4, 6 or 8": lists as people write them. */
export function listInWords(items: readonly (string | number)[], conjunction = 'or'): string {
  const words = items.map(String);
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

const ROLE_WORDS: Record<InputRole, string> = {
  first_frame: 'a first-frame image',
  last_frame: 'a last-frame image',
  reference: 'reference images',
};

/**
 * Checks a request against its model, returning every problem at once so a form can
 * mark each field. The prompt is trimmed; nothing else is changed.
 */
export function validateGenerationParameters<I extends GenerationInputRef>(
  input: GenerationParameters<I>,
): ValidationResult<I> {
  const model = findModel(input.modelId);
  if (!model) {
    return {
      ok: false,
      problems: [{ field: 'modelId', message: 'That model is not offered. Pick one from the list.' }],
    };
  }
  const problems: ParameterProblem[] = [];
  const prompt = input.prompt.trim();
  const name = model.label;

  if (prompt.length === 0 && model.promptRequired) {
    problems.push({ field: 'prompt', message: `${name} needs a prompt describing the video.` });
  } else if (prompt.length > 0 && prompt.length < model.promptMinLength) {
    problems.push({
      field: 'prompt',
      message: `${name} needs a prompt of at least ${model.promptMinLength} characters.`,
    });
  } else if (prompt.length > model.promptMaxLength) {
    problems.push({
      field: 'prompt',
      message: `${name} takes prompts of up to ${model.promptMaxLength} characters; this one has ${prompt.length}.`,
    });
  }

  const negativePrompt = input.negativePrompt?.trim() || undefined;
  if (negativePrompt !== undefined && !model.negativePrompt) {
    problems.push({ field: 'negativePrompt', message: `${name} does not take a negative prompt.` });
  } else if (negativePrompt !== undefined && negativePrompt.length > MAX_NEGATIVE_PROMPT_LENGTH) {
    problems.push({
      field: 'negativePrompt',
      message: `Negative prompts can be up to ${MAX_NEGATIVE_PROMPT_LENGTH} characters.`,
    });
  }

  if (!model.durations.includes(input.durationSeconds)) {
    problems.push({
      field: 'durationSeconds',
      message: `${name} makes ${listInWords(model.durations)} second videos.`,
    });
  }
  if (!model.aspectRatios.includes(input.aspectRatio)) {
    problems.push({
      field: 'aspectRatio',
      message: `${name} makes videos in ${listInWords(model.aspectRatios)}.`,
    });
  }
  if (!model.resolutions.includes(input.resolution as Resolution)) {
    problems.push({
      field: 'resolution',
      message: `${name} renders at ${listInWords(model.resolutions)}.`,
    });
  }

  if (input.seed !== undefined) {
    if (!model.seed) {
      problems.push({ field: 'seed', message: `${name} does not take a seed.` });
    } else if (!Number.isInteger(input.seed) || input.seed < 0 || input.seed > MAX_SEED) {
      problems.push({ field: 'seed', message: `A seed is a whole number from 0 to ${MAX_SEED}.` });
    }
  }

  problems.push(...inputProblems(model, input.inputs));

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      ...input,
      prompt,
      negativePrompt,
      model,
      credits: quoteCredits(model, input),
    },
  };
}

function inputProblems(model: ModelSpec, inputs: readonly GenerationInputRef[]): ParameterProblem[] {
  const name = model.label;
  if (model.maxInputs === 0 && inputs.length > 0) {
    return [{ field: 'inputs', message: `${name} does not take images.` }];
  }
  const problems: ParameterProblem[] = [];
  if (inputs.length > model.maxInputs) {
    problems.push({
      field: 'inputs',
      message: `${name} takes at most ${model.maxInputs} image${model.maxInputs === 1 ? '' : 's'}.`,
    });
  }
  inputs.forEach((input, index) => {
    if (!model.inputRoles.includes(input.role)) {
      problems.push({
        field: `inputs[${index}].role`,
        message: `${name} can't use ${ROLE_WORDS[input.role] ?? 'an image that way'}; it takes ${listInWords(
          model.inputRoles.map((r) => ROLE_WORDS[r]),
        )}.`,
      });
    }
  });
  const count = (role: InputRole) => inputs.filter((i) => i.role === role).length;
  if (count('first_frame') > 1) {
    problems.push({ field: 'inputs', message: 'Only one image can be the first frame.' });
  }
  if (count('last_frame') > 1) {
    problems.push({ field: 'inputs', message: 'Only one image can be the last frame.' });
  }
  if (model.imageRequired && count('first_frame') === 0) {
    problems.push({ field: 'inputs', message: `${name} needs a first-frame image to animate.` });
  }
  if (model.lastFrameNeedsFirstFrame && count('last_frame') > 0 && count('first_frame') === 0) {
    problems.push({ field: 'inputs', message: `${name} needs a first frame to go with the last frame.` });
  }
  if (model.referencesExclusive && count('reference') > 0 && count('reference') < inputs.length) {
    problems.push({
      field: 'inputs',
      message: `${name} uses either reference images or first/last frames, not both at once.`,
    });
  }
  return problems;
}

/**
 * Other providers' models that accept the same request, cheapest first, at no more than
 * the reserved price (never more without consent). The local renderer is no stand-in for
 * a provider's model, so it is never a fallback.
 */
export function fallbackCandidates(
  model: ModelSpec,
  p: Pick<GenerationParameters, 'durationSeconds' | 'aspectRatio' | 'resolution' | 'inputs'>,
  reserved: number,
): ModelSpec[] {
  return MODELS.filter((m) => m.provider !== model.provider && m.provider !== 'local')
    .filter((m) => m.durations.includes(p.durationSeconds) && m.aspectRatios.includes(p.aspectRatio))
    .filter((m) => (m.resolutions as readonly string[]).includes(p.resolution))
    .filter((m) => p.inputs.every((i) => m.inputRoles.includes(i.role)) && p.inputs.length <= m.maxInputs)
    .filter((m) => !m.imageRequired || p.inputs.some((i) => i.role === 'first_frame'))
    .map((m) => ({ m, credits: quoteCredits(m, p) }))
    .filter(({ credits }) => credits <= reserved)
    .sort((a, b) => a.credits - b.credits)
    .map(({ m }) => m);
}
