// The staff area's sections and who may use each; the API enforces the same roles
// (api/routes/moderation.ts, generation.ts and assets.ts ops routes).
import type { Role } from '../../../domain/accounts.ts';
import type { ModerationCategory } from '../../../domain/moderation.ts';

export interface StaffSection {
  route: '/staff/moderation' | '/staff/ops' | '/staff/legal';
  label: string;
  description: string;
  roles: readonly Role[];
}

export const STAFF_SECTIONS: readonly StaffSection[] = [
  {
    route: '/staff/moderation',
    label: 'Review queue',
    description: 'Requests the automatic check held for a person: approve or refuse each, with a reason.',
    roles: ['support', 'admin'],
  },
  {
    route: '/staff/ops',
    label: 'Operations',
    description: 'Look up a job or a stored file and open its workflow in the Temporal UI.',
    roles: ['operator', 'admin'],
  },
  {
    route: '/staff/legal',
    label: 'Legal',
    description:
      'Rights requests by deadline, extensions with a reason, audit exports, legal holds and deletion certificates.',
    roles: ['legal', 'admin'],
  },
];

/** Why the automatic check held or refused a request, in words. */
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
