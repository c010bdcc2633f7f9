// The staff area's sections and who may use each; the API enforces the same roles
// (api/routes/moderation.ts, and the generation and retention routes' ops views).
import type { Role } from '../../../domain/accounts.ts';

export interface StaffSection {
  /** As `resolve` takes it: `staff/ops` for /staff/ops. */
  route: 'staff/moderation' | 'staff/support' | 'staff/ops' | 'staff/legal' | 'staff/marketing';
  label: string;
  description: string;
  roles: readonly Role[];
}

export const STAFF_SECTIONS: readonly StaffSection[] = [
  {
    route: 'staff/moderation',
    label: 'Review queue',
    description: 'Requests the automatic check held for a person: approve or refuse each, with a reason.',
    roles: ['support', 'admin'],
  },
  {
    route: 'staff/support',
    label: 'Support',
    description: 'Creators’ tickets: assign, reply by email and on the site, close.',
    roles: ['support', 'admin'],
  },
  {
    route: 'staff/ops',
    label: 'Operations',
    description: 'Look up a job or a stored file and open its workflow in the Temporal UI.',
    roles: ['operator', 'admin'],
  },
  {
    route: 'staff/legal',
    label: 'Legal',
    description:
      'Rights requests by deadline, extensions with a reason, audit exports, legal holds and deletion certificates.',
    roles: ['legal', 'admin'],
  },
  {
    route: 'staff/marketing',
    label: 'Marketing',
    description: 'Send a campaign to everyone who opted in, and see how the newest went.',
    roles: ['admin'],
  },
];
