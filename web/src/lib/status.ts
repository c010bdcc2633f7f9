// Status words and colours for badges, from the project's own vocabularies: a status added
// in domain/ is a type error here until it has words.
import type { AccountStatus } from '../../../domain/accounts.ts';
import type { JobStatus } from '../../../domain/generation.ts';
import type { RequestStatus } from '../../../domain/rights-request.ts';
import type { AssetStatus } from '../../../domain/retention.ts';
import type { SubscriptionStatus } from '../../../domain/subscription.ts';
import type { TicketStatus } from '../../../domain/support.ts';
import type { RevisionStatus, ScriptStatus } from '../../../domain/script.ts';

export type Tone = 'neutral' | 'info' | 'progress' | 'success' | 'warning' | 'danger';
export interface StatusWords {
  label: string;
  tone: Tone;
}

export const JOB_STATUS_WORDS: Readonly<Record<JobStatus, StatusWords>> = {
  moderating: { label: 'Checking prompt', tone: 'progress' },
  awaiting_review: { label: 'In review', tone: 'warning' },
  queued: { label: 'Queued', tone: 'info' },
  submitted: { label: 'Submitted', tone: 'progress' },
  running: { label: 'Generating', tone: 'progress' },
  saving: { label: 'Saving', tone: 'progress' },
  succeeded: { label: 'Ready', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  rejected: { label: 'Refused', tone: 'danger' },
};

export const ACCOUNT_STATUS_WORDS: Readonly<Record<AccountStatus, StatusWords>> = {
  active: { label: 'Active', tone: 'success' },
  awaiting_parental_consent: { label: 'Waiting for parent', tone: 'warning' },
  suspended_minor: { label: 'Suspended', tone: 'danger' },
  deletion_requested: { label: 'Being deleted', tone: 'warning' },
  deleted: { label: 'Deleted', tone: 'neutral' },
};

export const REQUEST_STATUS_WORDS: Readonly<Record<RequestStatus, StatusWords>> = {
  awaiting_verification: { label: 'Confirm it’s you', tone: 'warning' },
  verified: { label: 'Verified', tone: 'info' },
  in_progress: { label: 'In progress', tone: 'progress' },
  paused: { label: 'Paused', tone: 'warning' },
  completed: { label: 'Done', tone: 'success' },
  rejected: { label: 'Refused', tone: 'danger' },
  expired: { label: 'Expired', tone: 'neutral' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

export const ASSET_STATUS_WORDS: Readonly<Record<AssetStatus, StatusWords>> = {
  pending: { label: 'Uploading', tone: 'progress' },
  stored: { label: 'Stored', tone: 'success' },
  deleting: { label: 'Deleting', tone: 'warning' },
  deleted: { label: 'Deleted', tone: 'neutral' },
  missing: { label: 'Missing', tone: 'danger' },
};

export const SUBSCRIPTION_STATUS_WORDS: Readonly<Record<SubscriptionStatus, StatusWords>> = {
  pending: { label: 'Waiting for payment', tone: 'progress' },
  expired: { label: 'Not started', tone: 'neutral' },
  active: { label: 'Active', tone: 'success' },
  past_due: { label: 'Payment failed', tone: 'warning' },
  canceling: { label: 'Ends at period end', tone: 'info' },
  canceled: { label: 'Ended', tone: 'neutral' },
};

export const TICKET_STATUS_WORDS: Readonly<Record<TicketStatus, StatusWords>> = {
  open: { label: 'Waiting for support', tone: 'info' },
  answered: { label: 'Answered', tone: 'success' },
  closed: { label: 'Closed', tone: 'neutral' },
};

export const SCRIPT_STATUS_WORDS: Readonly<Record<ScriptStatus, StatusWords>> = {
  draft: { label: 'Draft', tone: 'neutral' },
  running: { label: 'Being made', tone: 'progress' },
  ready: { label: 'Ready', tone: 'success' },
  incomplete: { label: 'Not finished', tone: 'warning' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

export const REVISION_STATUS_WORDS: Readonly<Record<RevisionStatus, StatusWords>> = {
  running: { label: 'Being made', tone: 'progress' },
  composed: { label: 'Ready', tone: 'success' },
  incomplete: { label: 'Not finished', tone: 'warning' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  failed: { label: 'Failed', tone: 'danger' },
};

export const STATUS_VOCABULARIES = {
  job: JOB_STATUS_WORDS,
  script: SCRIPT_STATUS_WORDS,
  revision: REVISION_STATUS_WORDS,
  account: ACCOUNT_STATUS_WORDS,
  request: REQUEST_STATUS_WORDS,
  asset: ASSET_STATUS_WORDS,
  subscription: SUBSCRIPTION_STATUS_WORDS,
  ticket: TICKET_STATUS_WORDS,
} as const;
export type StatusKind = keyof typeof STATUS_VOCABULARIES;

export function statusWords(kind: StatusKind, status: string): StatusWords {
  const table = STATUS_VOCABULARIES[kind] as Record<string, StatusWords>;
  return table[status] ?? { label: status.replaceAll('_', ' '), tone: 'neutral' };
}
