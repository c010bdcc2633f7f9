// Automated moderation of prompts before generation (S-MOD). Pure and deterministic:
// the generation workflow runs it through an activity and records the verdict.
//
// This is a rules-based first line: clear violations are refused with a reason, and
// anything that may depict a real person or is otherwise borderline goes to a human
// review queue. It errs towards review, never towards silently allowing.

export type ModerationVerdict = 'allow' | 'review' | 'refuse';

export type ModerationCategory =
  | 'minors_sexual'
  | 'sexual_non_consensual'
  | 'real_person_deepfake'
  | 'extremism'
  | 'self_harm'
  | 'graphic_violence'
  | 'real_person'
  | 'sexual'
  | 'weapons';

export interface ModerationResult {
  verdict: ModerationVerdict;
  categories: ModerationCategory[];
  /** Words a creator understands; shown with a refusal or a hold. */
  reason?: string;
}

interface Rule {
  category: ModerationCategory;
  verdict: Exclude<ModerationVerdict, 'allow'>;
  /** Every pattern in a group must match (an AND of ORs). */
  all: RegExp[];
  reason: string;
}

const w = (words: string) => new RegExp(`\\b(?:${words})\\b`, 'i');

const MINOR = w(
  'child|children|kid|kids|minor|minors|underage|preteen|teen|teenager|schoolgirl|schoolboy|toddler|infant|baby|\\d{1,2}[- ]?(?:yo|year[- ]old)',
);
const SEXUAL = w(
  'nude|naked|nsfw|sex|sexual|porn|pornographic|erotic|explicit|lingerie|topless|undress(?:ed|ing)?|strip(?:ping|tease)?',
);
const NON_CONSENT = w('rape|raped|non[- ]?consensual|forced sex|drugged|unconscious');
const IMPERSONATE = w(
  'deepfake|deep fake|face[- ]?swap|make (?:him|her|them) say|fake (?:video|footage) of|pretend(?:ing)? to be|impersonat\\w*',
);
const PUBLIC_FIGURE = w(
  'president|prime minister|senator|chancellor|pope|celebrity|politician|ceo of|famous actor|famous actress|famous singer|rapper|influencer',
);
const PERSON_NAME = /\b(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+\b/;
const EXTREMISM = w(
  'terrorist attack|isis|al[- ]qaeda|nazi propaganda|mass shooting|school shooting|bomb[- ]making|how to make a bomb',
);
const SELF_HARM = w('suicide|self[- ]harm|cutting (?:my|her|his) wrists|kill (?:my|him|her)self');
const GORE = w('gore|dismember\\w*|decapitat\\w*|disembowel\\w*|mutilat\\w*|torture');
const WEAPONS = w('gun|guns|rifle|firearm|grenade|gunfire');

const RULES: Rule[] = [
  {
    category: 'minors_sexual',
    verdict: 'refuse',
    all: [MINOR, SEXUAL],
    reason: 'Sexual content involving minors is never allowed.',
  },
  {
    category: 'sexual_non_consensual',
    verdict: 'refuse',
    all: [NON_CONSENT],
    reason: 'Depictions of sexual violence are not allowed.',
  },
  {
    category: 'real_person_deepfake',
    verdict: 'refuse',
    all: [IMPERSONATE],
    reason: 'Videos that impersonate real people (deepfakes) are not allowed without their consent.',
  },
  {
    category: 'extremism',
    verdict: 'refuse',
    all: [EXTREMISM],
    reason: 'Violent extremist content is not allowed.',
  },
  {
    category: 'self_harm',
    verdict: 'refuse',
    all: [SELF_HARM],
    reason: 'Content that depicts or encourages self-harm is not allowed.',
  },
  {
    category: 'graphic_violence',
    verdict: 'review',
    all: [GORE],
    reason: 'Graphic violence needs a review by our team first.',
  },
  {
    category: 'sexual',
    verdict: 'review',
    all: [SEXUAL],
    reason: 'Sexual content needs a review by our team first.',
  },
  {
    category: 'real_person',
    verdict: 'review',
    all: [PUBLIC_FIGURE],
    reason: 'Videos of real, identifiable people need a review by our team first.',
  },
  {
    category: 'weapons',
    verdict: 'review',
    all: [WEAPONS],
    reason: 'Content with weapons needs a review by our team first.',
  },
];

/**
 * Moderates a prompt and says whether images are attached: a named person together with
 * an uploaded image (a face to animate) is a possible deepfake and goes to review.
 */
export function moderatePrompt(prompt: string, options: { hasImageInputs?: boolean } = {}): ModerationResult {
  const text = prompt.normalize('NFKC');
  const matched = RULES.filter((rule) => rule.all.every((re) => re.test(text)));
  if (
    options.hasImageInputs &&
    PERSON_NAME.test(prompt) &&
    !matched.some((r) => r.category === 'real_person')
  ) {
    matched.push({
      category: 'real_person',
      verdict: 'review',
      all: [],
      reason: 'A named person with an uploaded image needs a review by our team first.',
    });
  }
  const refusal = matched.find((r) => r.verdict === 'refuse');
  if (refusal)
    return { verdict: 'refuse', categories: matched.map((r) => r.category), reason: refusal.reason };
  const review = matched.find((r) => r.verdict === 'review');
  if (review) return { verdict: 'review', categories: matched.map((r) => r.category), reason: review.reason };
  return { verdict: 'allow', categories: [] };
}
