// The words the script pages use for states and choices, in one place.
import type { ProjectView, SceneView } from './types.ts';

export const PROJECT_STATUS_WORDS: Readonly<Record<ProjectView['status'], string>> = {
  draft: 'Draft: review the scenes, then run it.',
  running: 'Being made.',
  ready: 'Your video is ready.',
  incomplete: 'Not finished: some scenes could not be made.',
  cancelled: 'Cancelled.',
};

export const PHASE_WORDS: Readonly<Record<NonNullable<ProjectView['phase']>, string>> = {
  rendering: 'Making the scenes',
  voicing: 'Making the voice track',
  composing: 'Putting it together',
};

export const NEXT_WORDS: Readonly<Record<SceneView['next'], string>> = {
  new: 'New: made in the next run',
  edited: 'Changed: made again in the next run',
  retry: 'Not made yet: tried again in the next run',
  kept: 'Kept: not made or charged again',
};

export const VOICE_LANGUAGE_WORDS: Readonly<Record<ProjectView['voiceLanguage'], string>> = {
  en: 'English',
  'en-us': 'English (American)',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  it: 'Italian',
  pt: 'Portuguese',
};

export const seconds = (n: number) => `${n} second${n === 1 ? '' : 's'}`;
export const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;
