// The review queue in plain words (S-MOD): why the automatic check held or refused a
// request, keyed by the domain's categories so a new one is a type error until it has words.
import type { ModerationCategory } from '../../../../domain/moderation.ts';

export const CATEGORY_WORDS: Readonly<Record<ModerationCategory, string>> = {
  minors_sexual: 'Sexual content involving minors',
  sexual_non_consensual: 'Sexual violence',
  real_person_deepfake: 'Impersonation of a real person',
  extremism: 'Violent extremism',
  self_harm: 'Self-harm',
  graphic_violence: 'Graphic violence',
  real_person: 'A real, identifiable person',
  sexual: 'Sexual content',
  weapons: 'Weapons',
};

export const categoryWords = (category: string) =>
  (CATEGORY_WORDS as Record<string, string>)[category] ?? category.replaceAll('_', ' ');
