import { describe, expect, it } from 'vitest';
import {
  MAX_NEGATIVE_PROMPT_LENGTH,
  MAX_SEED,
  MODELS,
  PROVIDER_NAMES,
  RUNWAY_MAX_PROMPT_LENGTH,
  RUNWAY_MIN_POLL_INTERVAL_MS,
  findModel,
  modelsOf,
  quoteCredits,
} from '../../../domain/models.ts';
import type { ModelSpec } from '../../../domain/models.ts';
import {
  fallbackCandidates,
  listInWords,
  validateGenerationParameters,
  type GenerationParameters,
} from '../../../domain/generation-parameters.ts';
import { model } from './helpers.ts';

const valid = (spec: ModelSpec, overrides: Partial<GenerationParameters> = {}): GenerationParameters => ({
  modelId: spec.id,
  prompt: 'a lighthouse in a storm',
  durationSeconds: spec.durations[0] ?? 5,
  aspectRatio: spec.aspectRatios[0] ?? '16:9',
  resolution: spec.resolutions[0] ?? '720p',
  inputs: spec.imageRequired ? [{ role: 'first_frame' }] : [],
  ...overrides,
});

const problemsOf = (input: GenerationParameters) => {
  const result = validateGenerationParameters(input);
  return result.ok ? [] : result.problems;
};

describe('model catalog', () => {
  it('offers at least one model per provider, with unique ids', () => {
    for (const provider of PROVIDER_NAMES) expect(MODELS.some((m) => m.provider === provider)).toBe(true);
    expect(new Set(MODELS.map((m) => m.id)).size).toBe(MODELS.length);
  });

  it('prices every resolution a model offers in whole, positive credits', () => {
    for (const m of MODELS) {
      for (const resolution of m.resolutions) {
        const perSecond = m.creditsPerSecond[resolution];
        expect(Number.isInteger(perSecond), `${m.id} ${resolution}`).toBe(true);
        expect(perSecond).toBeGreaterThan(0);
      }
    }
  });

  it('keeps the local renderer cheap but not free', () => {
    expect(model('local-v1').creditsPerSecond['540p']).toBe(1);
    expect(quoteCredits(model('local-v1'), { durationSeconds: 2, resolution: '540p' })).toBe(2);
  });

  it('polls Runway no faster than its documented 5 seconds, and expects no webhooks from it', () => {
    for (const m of MODELS.filter((x) => x.provider === 'runway')) {
      expect(m.minPollIntervalMs).toBeGreaterThanOrEqual(RUNWAY_MIN_POLL_INTERVAL_MS);
      expect(m.webhooks).toBe(false);
    }
  });

  it('finds models by id', () => {
    expect(findModel('luma-ray-2')?.providerModel).toBe('ray-2');
    expect(findModel('nope')).toBeUndefined();
  });
});

describe('quoteCredits', () => {
  it('is a whole number that grows with the duration, for every model and resolution', () => {
    for (const m of MODELS) {
      for (const resolution of m.resolutions) {
        let previous = 0;
        for (const durationSeconds of m.durations) {
          const credits = quoteCredits(m, { durationSeconds, resolution });
          expect(Number.isInteger(credits)).toBe(true);
          expect(credits).toBeGreaterThan(previous);
          previous = credits;
        }
      }
    }
  });

  it('costs more at a higher resolution of the same model', () => {
    const luma = model('luma-ray-2');
    const at = (resolution: string) => quoteCredits(luma, { durationSeconds: 5, resolution });
    expect(at('540p')).toBeLessThan(at('720p'));
    expect(at('720p')).toBeLessThan(at('1080p'));
  });

  it('refuses a resolution the model has no price for, naming both', () => {
    const quote = () => quoteCredits(model('runway-gen4-turbo'), { durationSeconds: 5, resolution: '4k' });
    expect(quote).toThrow(RangeError);
    expect(quote).toThrow(/Gen-4 Turbo.* has no price at 4k/);
  });
});

describe('modelsOf', () => {
  it("lists exactly one provider's models, each of them", () => {
    for (const provider of PROVIDER_NAMES) {
      const listed = modelsOf(provider);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((m) => m.provider === provider)).toBe(true);
      expect(listed).toEqual(MODELS.filter((m) => m.provider === provider));
    }
    expect(PROVIDER_NAMES.flatMap((p) => modelsOf(p)).length).toBe(MODELS.length);
  });
});

describe('validateGenerationParameters', () => {
  it('accepts a valid request, trims the prompt and quotes it', () => {
    const result = validateGenerationParameters(valid(model('luma-ray-2'), { prompt: '  a red kite  ' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.prompt).toBe('a red kite');
    expect(result.value.model.id).toBe('luma-ray-2');
    expect(result.value.credits).toBe(quoteCredits(model('luma-ray-2'), result.value));
  });

  it('names the model field for an unknown model', () => {
    expect(problemsOf(valid(model('local-v1'), { modelId: 'gen-99' }))).toEqual([
      { field: 'modelId', message: 'That model is not offered. Pick one from the list.' },
    ]);
  });

  it('names durationSeconds with the lengths the model makes', () => {
    expect(problemsOf(valid(model('runway-gen4-turbo'), { durationSeconds: 7 }))).toEqual([
      { field: 'durationSeconds', message: 'Runway Gen-4 Turbo makes 5 or 10 second videos.' },
    ]);
    expect(problemsOf(valid(model('veo-3.1-fast'), { durationSeconds: 5 }))[0]?.message).toBe(
      'Veo 3.1 Fast makes 4, 6 or 8 second videos.',
    );
  });

  it('names aspectRatio and resolution', () => {
    const problems = problemsOf(valid(model('veo-3.1-fast'), { aspectRatio: '1:1', resolution: '4k' }));
    expect(problems.map((p) => p.field)).toEqual(['aspectRatio', 'resolution']);
    expect(problems[0]?.message).toBe('Veo 3.1 Fast makes videos in 16:9 or 9:16.');
    expect(problems[1]?.message).toBe('Veo 3.1 Fast renders at 720p or 1080p.');
  });

  it('asks for a first frame where the model animates an image', () => {
    expect(problemsOf(valid(model('runway-gen4-turbo'), { inputs: [] }))).toEqual([
      { field: 'inputs', message: 'Runway Gen-4 Turbo needs a first-frame image to animate.' },
    ]);
  });

  it('names the role of an input the model cannot use', () => {
    const problems = problemsOf(
      valid(model('runway-gen4-turbo'), { inputs: [{ role: 'first_frame' }, { role: 'reference' }] }),
    );
    expect(problems.map((p) => p.field)).toEqual(['inputs', 'inputs[1].role']);
  });

  it('refuses images for a model that takes none, and too many for one that takes some', () => {
    expect(problemsOf(valid(model('local-v1'), { inputs: [{ role: 'first_frame' }] }))[0]).toEqual({
      field: 'inputs',
      message: 'Clipwise Local does not take images.',
    });
    const three = [{ role: 'first_frame' }, { role: 'last_frame' }, { role: 'last_frame' }] as const;
    const fields = problemsOf(valid(model('luma-ray-2'), { inputs: three })).map((p) => p.message);
    expect(fields).toContain('Luma Ray 2 takes at most 2 images.');
    expect(fields).toContain('Only one image can be the last frame.');
  });

  it('keeps each provider rule on inputs', () => {
    expect(problemsOf(valid(model('veo-3.1-fast'), { inputs: [{ role: 'last_frame' }] }))[0]?.message).toBe(
      'Veo 3.1 Fast needs a first frame to go with the last frame.',
    );
    expect(
      problemsOf(
        valid(model('seedance-2.0'), { inputs: [{ role: 'first_frame' }, { role: 'reference' }] }),
      )[0]?.message,
    ).toBe('Seedance 2.0 uses either reference images or first/last frames, not both at once.');
    expect(
      problemsOf(valid(model('seedance-2.0'), { inputs: [{ role: 'reference' }, { role: 'reference' }] })),
    ).toEqual([]);
  });

  it('holds prompts to the provider limits', () => {
    const runway = model('runway-gen4.5');
    const long = 'x'.repeat(RUNWAY_MAX_PROMPT_LENGTH + 1);
    expect(problemsOf(valid(runway, { prompt: long }))[0]).toMatchObject({ field: 'prompt' });
    expect(problemsOf(valid(runway, { prompt: 'x'.repeat(RUNWAY_MAX_PROMPT_LENGTH) }))).toEqual([]);
    expect(problemsOf(valid(model('luma-ray-2'), { prompt: 'ab' }))[0]?.message).toBe(
      'Luma Ray 2 needs a prompt of at least 3 characters.',
    );
    expect(problemsOf(valid(model('local-v1'), { prompt: '   ' }))[0]?.field).toBe('prompt');
    // Runway animates an image without any words.
    expect(problemsOf(valid(model('runway-gen4-turbo'), { prompt: '' }))).toEqual([]);
  });

  it('checks the seed and the negative prompt against the model', () => {
    expect(problemsOf(valid(model('local-v1'), { seed: -1 }))[0]?.field).toBe('seed');
    expect(problemsOf(valid(model('local-v1'), { seed: 1.5 }))[0]?.field).toBe('seed');
    expect(problemsOf(valid(model('luma-ray-2'), { seed: 3 }))[0]?.message).toBe(
      'Luma Ray 2 does not take a seed.',
    );
    expect(problemsOf(valid(model('luma-ray-2'), { negativePrompt: 'blur' }))[0]?.field).toBe(
      'negativePrompt',
    );
    expect(problemsOf(valid(model('pika-2.2'), { negativePrompt: 'blur', seed: 42 }))).toEqual([]);
  });

  it('holds each limit at its edge: the shortest prompt, the longest negative prompt, seeds from 0 to the largest', () => {
    expect(problemsOf(valid(model('luma-ray-2'), { prompt: 'abc' }))).toEqual([]);
    expect(problemsOf(valid(model('local-v1')))).toEqual([]);
    const pika = model('pika-2.2');
    expect(problemsOf(valid(pika, { negativePrompt: 'x'.repeat(MAX_NEGATIVE_PROMPT_LENGTH) }))).toEqual([]);
    expect(problemsOf(valid(pika, { negativePrompt: 'x'.repeat(MAX_NEGATIVE_PROMPT_LENGTH + 1) }))).toEqual([
      {
        field: 'negativePrompt',
        message: `Negative prompts can be up to ${MAX_NEGATIVE_PROMPT_LENGTH} characters.`,
      },
    ]);
    // Spaces alone are no negative prompt, even for a model that takes none.
    expect(problemsOf(valid(model('luma-ray-2'), { negativePrompt: '   ' }))).toEqual([]);
    for (const seed of [0, MAX_SEED]) expect(problemsOf(valid(pika, { seed }))).toEqual([]);
    expect(problemsOf(valid(pika, { seed: MAX_SEED + 1 }))).toEqual([
      { field: 'seed', message: `A seed is a whole number from 0 to ${MAX_SEED}.` },
    ]);
  });

  it('takes a first and a last frame together, frames without references, and one first frame only', () => {
    const both = [{ role: 'first_frame' }, { role: 'last_frame' }] as const;
    expect(problemsOf(valid(model('veo-3.1-fast'), { inputs: both }))).toEqual([]);
    expect(problemsOf(valid(model('seedance-2.0'), { inputs: both }))).toEqual([]);
    const twoFirst = [{ role: 'first_frame' }, { role: 'first_frame' }] as const;
    expect(problemsOf(valid(model('luma-ray-2'), { inputs: twoFirst }))).toEqual([
      { field: 'inputs', message: 'Only one image can be the first frame.' },
    ]);
    expect(problemsOf(valid(model('runway-gen4-turbo'), { inputs: twoFirst }))[0]).toEqual({
      field: 'inputs',
      message: 'Runway Gen-4 Turbo takes at most 1 image.',
    });
  });

  it('lists every problem at once', () => {
    const fields = problemsOf(
      valid(model('pika-2.2'), { durationSeconds: 3, aspectRatio: '7:3', resolution: '540p', prompt: '' }),
    ).map((p) => p.field);
    expect(fields).toEqual(['prompt', 'durationSeconds', 'aspectRatio', 'resolution']);
  });

  it('writes lists as people do', () => {
    expect(listInWords([5])).toBe('5');
    expect(listInWords([5, 10])).toBe('5 or 10');
    expect(listInWords(['a', 'b', 'c'], 'and')).toBe('a, b and c');
  });
});

describe('fallbackCandidates', () => {
  const request = { durationSeconds: 5, aspectRatio: '16:9', resolution: '720p', inputs: [] };
  const ids = (models: readonly ModelSpec[]) => models.map((m) => m.id);

  it("offers other providers' models that take the same request, cheapest first, never dearer than the reservation nor the local renderer", () => {
    // Luma's other model is the same provider's; Runway's Turbo needs a first frame; Veo makes no 5 s video.
    expect(ids(fallbackCandidates(model('luma-ray-2'), request, 75))).toEqual([
      'pika-2.2',
      'seedance-2.0',
      'runway-gen4.5',
    ]);
    expect(ids(fallbackCandidates(model('luma-ray-2'), request, 74))).toEqual(['pika-2.2', 'seedance-2.0']);
    expect(ids(fallbackCandidates(model('luma-ray-2'), request, 24))).toEqual([]);
    expect(ids(fallbackCandidates(model('local-v1'), request, 1_000))).not.toContain('local-v1');
  });

  it('keeps to what the request asks: its images, aspect ratio and resolution', () => {
    const first = [{ role: 'first_frame' as const }];
    expect(ids(fallbackCandidates(model('luma-ray-2'), { ...request, inputs: first }, 30))).toEqual(
      expect.arrayContaining(['pika-2.2', 'runway-gen4-turbo', 'seedance-2.0']),
    );
    const frames = [{ role: 'first_frame' as const }, { role: 'last_frame' as const }];
    expect(ids(fallbackCandidates(model('luma-ray-2'), { ...request, inputs: frames }, 1_000))).toEqual([
      'seedance-2.0',
    ]);
    expect(ids(fallbackCandidates(model('seedance-2.0'), { ...request, aspectRatio: '4:5' }, 1_000))).toEqual(
      ['pika-2.2'],
    );
    expect(ids(fallbackCandidates(model('luma-ray-2'), { ...request, resolution: '4k' }, 1_000))).toEqual([]);
    // More images than a model takes: Runway and Pika take one.
    const two = [{ role: 'first_frame' as const }, { role: 'first_frame' as const }];
    expect(ids(fallbackCandidates(model('luma-ray-2'), { ...request, inputs: two }, 1_000))).toEqual([
      'seedance-2.0',
    ]);
  });
});
