// S-MOD's rules on their own: a prompt's verdict, and an image's or video's verdict from the
// classifier's scores against each source's thresholds (the classifier itself is tested in
// classifier-model.test.ts and, end to end, in the integration tests).
import { describe, expect, it } from 'vitest';
import {
  IMAGE_CLASSES,
  IMAGE_THRESHOLDS,
  judgeImage,
  maxScores,
  moderatePrompt,
  type ImageScores,
} from '../../domain/moderation.ts';

const neutral: ImageScores = { Drawing: 0.05, Hentai: 0, Neutral: 0.95, Porn: 0, Sexy: 0 };
const scores = (over: Partial<ImageScores>): ImageScores => ({ ...neutral, ...over });

describe('a prompt', () => {
  it('[S-MOD] is allowed when no rule matches, and names nothing', () => {
    expect(moderatePrompt('A red fox runs through snow at dawn.')).toEqual({
      verdict: 'allow',
      categories: [],
    });
  });

  it('[S-MOD] is refused when a refusing rule matches, naming every rule that did', () => {
    const result = moderatePrompt('A nude teenager with a gun');
    expect(result.verdict).toBe('refuse');
    expect(result.categories).toEqual(expect.arrayContaining(['minors_sexual', 'sexual', 'weapons']));
    expect(result.reason).toBe('Sexual content involving minors is never allowed.');
    // Every word of a rule must match: a child alone, or nudity alone, is not that rule.
    expect(moderatePrompt('A child flies a kite').verdict).toBe('allow');
    expect(moderatePrompt('A nude statue in a museum')).toMatchObject({
      verdict: 'review',
      categories: ['sexual'],
    });
  });

  it('[S-MOD] reads look-alike characters as the letters they stand for', () => {
    // Fullwidth letters (NFKC folds them): "ｎｕｄｅ".
    expect(moderatePrompt('A \uff4e\uff55\uff44\uff45 statue').verdict).toBe('review');
  });

  it('[S-MOD] holds a named person with an uploaded image for review, a possible deepfake', () => {
    const prompt = 'Jane Doe waves at the camera';
    expect(moderatePrompt(prompt).verdict).toBe('allow');
    expect(moderatePrompt(prompt, { hasImageInputs: true })).toEqual({
      verdict: 'review',
      categories: ['real_person'],
      reason: 'A named person with an uploaded image needs a review by our team first.',
    });
    // Named once, by the public-figure rule, when it matched already.
    const figure = moderatePrompt('The President Joe Smith waves', { hasImageInputs: true });
    expect(figure.categories).toEqual(['real_person']);
    expect(figure.reason).toBe('Videos of real, identifiable people need a review by our team first.');
    // Added to what else matched.
    expect(moderatePrompt('Jane Doe holds a gun', { hasImageInputs: true }).categories).toEqual([
      'weapons',
      'real_person',
    ]);
    // A refusal still wins over the hold.
    expect(moderatePrompt('A deepfake of Jane Doe', { hasImageInputs: true }).verdict).toBe('refuse');
  });
});

describe('an image or a video', () => {
  it('[S-MOD] takes the highest score of each class over all the frames', () => {
    expect(maxScores([scores({ Porn: 0.3 }), scores({ Sexy: 0.5, Porn: 0.1 })])).toEqual({
      ...neutral,
      Porn: 0.3,
      Sexy: 0.5,
    });
    expect(maxScores([])).toEqual(Object.fromEntries(IMAGE_CLASSES.map((c) => [c, 0])));
  });

  it('[S-MOD] refuses an upload at the refusal threshold and holds it at the review threshold', () => {
    const { refuse, review } = IMAGE_THRESHOLDS.upload;
    expect(judgeImage([scores({ Porn: refuse.Porn! })], 'upload')).toMatchObject({
      verdict: 'refuse',
      categories: ['sexual_explicit'],
      reason: 'This image looks like explicit sexual content, which is not allowed.',
    });
    expect(judgeImage([scores({ Hentai: review.Hentai! })], 'upload')).toMatchObject({
      verdict: 'review',
      categories: ['sexual_explicit_drawn'],
      reason: 'This image needs a review by our team before it can be used.',
    });
    // A refusal names what refused it, not what would only have held it.
    expect(judgeImage([scores({ Porn: refuse.Porn!, Sexy: review.Sexy! })], 'upload').categories).toEqual([
      'sexual_explicit',
    ]);
    const below = judgeImage([scores({ Porn: review.Porn! - 0.001, Sexy: review.Sexy! - 0.001 })], 'upload');
    expect(below).toMatchObject({ verdict: 'allow', categories: [], reason: null, frames: 1 });
  });

  it('[S-MOD] never refuses a generated video by the classifier alone: it holds it', () => {
    const explicit = [scores({ Neutral: 0.01 }), scores({ Porn: 0.99, Sexy: 0.95 })];
    expect(judgeImage(explicit, 'output')).toMatchObject({
      verdict: 'review',
      categories: ['sexual_explicit', 'sexual_suggestive'],
      reason: 'Your video is held for a review by our team before it is released.',
      frames: 2,
    });
  });

  it('[S-MOD] holds what it could not see: no frames at all is never allowed', () => {
    for (const source of ['upload', 'output'] as const) {
      expect(judgeImage([], source)).toMatchObject({ verdict: 'review', categories: [], frames: 0 });
    }
  });
});
