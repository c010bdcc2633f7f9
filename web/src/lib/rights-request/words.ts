// Rights requests in plain words: what each type does, which law's clock applies, what
// each step of a workflow is, how much time is left. Records keyed by the domain's
// vocabularies, so a new type, step or jurisdiction is a type error until it has words.
import {
  DUE_SOON_DAYS,
  JURISDICTIONS,
  REQUEST_STATUSES,
  type DeletionStep,
  type ExportStep,
  type Jurisdiction,
  type PauseReason,
  type RequestType,
  type RightsStep,
} from '../../../../domain/rights-request.ts';
import {
  CCPA_EXTENSION_DAYS,
  CCPA_RESPONSE_DAYS,
  GDPR_MAX_EXTENSION_MONTHS,
  ruleFor,
} from '../../../../domain/rights-request-clock.ts';
import { RETENTION_POLICY } from '../policy/words.ts';
import { sizeWords } from '../format.ts';
import { formatDuration } from '../time.ts';
import type { RequestView, RequestStep } from './types.ts';

export interface TypeWords {
  /** A short name: "Copy of my data". */
  title: string;
  /** What happens, in one or two sentences. */
  explanation: string;
}

const exportDays = formatDuration(RETENTION_POLICY.export.keepMs);

export const REQUEST_TYPE_WORDS: Readonly<Record<RequestType, TypeWords>> = {
  access: {
    title: 'Copy of my data',
    explanation: `Everything we hold about you — account, settings, consents, jobs, credits, sign-ins — as JSON and CSV files in one ZIP archive, with a readable summary. You can download it for ${exportDays}.`,
  },
  portability: {
    title: 'Portable copy, with my videos',
    explanation: `The same copy of your data, plus the videos we still store, so you can take them to another service. You can download it for ${exportDays}.`,
  },
  deletion: {
    title: 'Delete my account',
    explanation:
      'Your profile, uploads, videos, history and analytics are erased or anonymized, and running jobs are cancelled.',
  },
  rectification: {
    title: 'Correct my data',
    explanation:
      'Tell us what is wrong and what it should be. Your name and email address you can also change yourself in account settings.',
  },
  restriction: {
    title: 'Restrict processing',
    explanation:
      'We keep your data stored but stop using it: no new videos, uploads or analytics until you lift the restriction. The switch on this page does the same at once.',
  },
  objection: {
    title: 'Object to analytics or marketing',
    explanation:
      'We stop using your data for analytics or direct marketing. The switches on this page do the same at once.',
  },
  consent_withdrawal: {
    title: 'Withdraw my consent',
    explanation:
      'We stop what you had allowed (analytics cookies, marketing email). What was done while you allowed it stays lawful.',
  },
};

/** The types a creator picks on the request form (deletion has its own page with its confirmation). */
export const FORM_REQUEST_TYPES = [
  'access',
  'portability',
  'rectification',
  'restriction',
  'objection',
  'consent_withdrawal',
] as const satisfies readonly RequestType[];

export const JURISDICTION_WORDS: Readonly<Record<Jurisdiction, TypeWords>> = {
  GDPR: {
    title: 'European Union, EEA or United Kingdom (GDPR)',
    explanation: `We answer within one calendar month of confirming it is you. If a request is complex we may extend that once, by up to ${GDPR_MAX_EXTENSION_MONTHS} more months, and we tell you why within the first month.`,
  },
  CCPA: {
    title: 'California (CCPA)',
    explanation: `We answer within ${CCPA_RESPONSE_DAYS} days of confirming it is you, extendable once by ${CCPA_EXTENSION_DAYS} days with a reason. California law lets you ask for a copy of your data twice in 12 months.`,
  },
  other: {
    title: 'Somewhere else, or not sure',
    explanation:
      'We keep the stricter promise: an answer within one calendar month of confirming it is you, as under GDPR.',
  },
};

/** The law a request is timed by, as a form's choices (a request, an account deletion). */
export const JURISDICTION_OPTIONS = JURISDICTIONS.map((value) => ({
  value,
  label: JURISDICTION_WORDS[value].title,
  description: JURISDICTION_WORDS[value].explanation,
}));

const DELETION_STEP_WORDS: Readonly<Record<DeletionStep, string>> = {
  verify: 'Confirm it’s you',
  legal_hold_check: 'Check for legal holds',
  cancel_subscriptions: 'Cancel your subscription',
  revoke_sessions: 'Sign out everywhere',
  cancel_jobs: 'Cancel running jobs',
  delete_assets: 'Delete your files',
  erase_rows: 'Erase your records',
  notify_recipients: 'Tell the video providers to delete',
  final_notice: 'Send the last email',
  anonymize_profile: 'Anonymize your profile',
  certificate: 'Issue the deletion certificate',
};

const EXPORT_STEP_WORDS: Readonly<Record<ExportStep, string>> = {
  verify: 'Confirm it’s you',
  collect: 'Gather your data',
  archive: 'Write the archive',
  link: 'Prepare the download',
  notify: 'Email you',
};

const RIGHTS_STEP_WORDS: Readonly<Record<RightsStep, string>> = {
  verify: 'Confirm it’s you',
  apply: 'Apply your request',
  notify: 'Email you',
};

const STEP_WORDS: Readonly<Record<string, string>> = {
  ...RIGHTS_STEP_WORDS,
  ...EXPORT_STEP_WORDS,
  ...DELETION_STEP_WORDS,
};

export const stepWords = (name: string): string => STEP_WORDS[name] ?? name.replaceAll('_', ' ');

export const STEP_STATE_WORDS: Readonly<Record<RequestStep['state'], string>> = {
  pending: 'Not started',
  running: 'Under way',
  waiting: 'Waiting',
  done: 'Done',
  skipped: 'Skipped',
};

export const PAUSE_WORDS: Readonly<Record<PauseReason, string>> = {
  legal_hold:
    'Paused by a legal hold: a court or authority requires us to keep your data for now. The deletion goes on by itself as soon as the hold is released; nothing has been deleted while it waits.',
};

/** The same, for the legal team. */
export const LEGAL_PAUSE_WORDS: Readonly<Record<PauseReason, string>> = {
  legal_hold:
    'An active legal hold covers this person: the deletion waits before touching anything, and goes on by itself when the last hold on them is released.',
};

/** "due in 23 days", "due today", "3 days overdue"; null before the clock starts. */
export function dueWords(daysLeft: number | null): string | null {
  if (daysLeft === null) return null;
  if (daysLeft < 0) {
    const late = -daysLeft;
    return `${late} day${late === 1 ? '' : 's'} overdue`;
  }
  if (daysLeft === 0) return 'due today';
  return `due in ${daysLeft} day${daysLeft === 1 ? '' : 's'}`;
}

export type Urgency = 'overdue' | 'soon' | 'ok' | 'none';
/** The legal dashboard's colours: overdue red, fewer than `DUE_SOON_DAYS` days amber. */
export function urgency(daysLeft: number | null): Urgency {
  if (daysLeft === null) return 'none';
  if (daysLeft < 0) return 'overdue';
  if (daysLeft < DUE_SOON_DAYS) return 'soon';
  return 'ok';
}

/** Steps done (or skipped) out of all, for a progress bar; null when the workflow did not answer. */
export function stepProgress(request: Pick<RequestView, 'progress' | 'status'>): {
  done: number;
  total: number;
  percent: number;
} | null {
  const steps = request.progress?.steps;
  if (!steps?.length) return null;
  const done = steps.filter((s) => s.state === 'done' || s.state === 'skipped').length;
  return { done, total: steps.length, percent: (done / steps.length) * 100 };
}

/** Statuses after which nothing more happens. */
export const FINISHED_STATUSES = ['completed', 'rejected', 'expired', 'cancelled'] as const;
export const isFinished = (status: string): boolean =>
  (FINISHED_STATUSES as readonly string[]).includes(status);

/** Whether the legal team may extend this request now (the API decides again). */
export function extensionAllowed(
  request: Pick<RequestView, 'status' | 'originalDueAt' | 'extended'>,
  now = Date.now(),
): boolean {
  if (request.extended || !request.originalDueAt || isFinished(request.status)) return false;
  if (request.status === 'awaiting_verification') return false;
  return Date.parse(request.originalDueAt) > now;
}

/** GDPR (and "other", timed as GDPR) extends by 1 or 2 months; CCPA by a fixed 45 days. */
export const extendsByMonths = (jurisdiction: Jurisdiction): boolean => ruleFor(jurisdiction) === 'GDPR';

/** Labels for the figures a deletion or export reports while it runs. */
export const COUNT_WORDS: Readonly<Record<string, string>> = {
  sessionsRevoked: 'Sessions ended',
  jobsCancelled: 'Jobs cancelled',
  filesRequested: 'Files to delete',
  filesRemaining: 'Files still to delete',
  rowsErased: 'Records erased or anonymized',
  erasureNotices: 'Notices sent to providers',
  sizeBytes: 'Archive size',
  entries: 'Files in the archive',
  videos: 'Videos included',
  changes: 'Changes applied',
};

export function countValue(name: string, value: number): string {
  return name === 'sizeBytes' ? sizeWords(value) : String(value);
}

/** The legal list's status filter: open requests (the default), all, or one status. */
export const LEGAL_STATUS_FILTERS = ['open', 'all', ...REQUEST_STATUSES] as const;
