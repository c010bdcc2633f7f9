// Who an account is and what it may do.
export const ROLES = ['creator', 'support', 'legal', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES: readonly Role[] = ['support', 'legal', 'operator', 'admin'];

export const ACCOUNT_STATUSES = [
  'active',
  /** A minor waiting for a parent to confirm (D-MINOR). */
  'awaiting_parental_consent',
  /** Collection stopped: found under age without consent, deletion under way (D-MINOR). */
  'suspended_minor',
  'deletion_requested',
  'deleted',
] as const;
export type AccountStatus = (typeof ACCOUNT_STATUSES)[number];
