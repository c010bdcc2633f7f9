// Personal-data breach incidents (S-BREACH): what legal staff record, the 72-hour clock
// for the supervisory authority (GDPR art. 33), the data categories the affected people
// are found by, and how they are told (art. 34): in batches, each person once. Pure.
import { HOUR, SECOND } from './time.ts';

/** From when the breach was found, the authority must hear of it within this. */
export const AUTHORITY_DEADLINE_MS = 72 * HOUR;

/**
 * How long a recorded incident waits for its workflow's start. While Temporal does not
 * answer, the incident is kept and answered as recorded, and the unstarted sweep starts
 * its workflow once Temporal answers (activities/sweeps/unstarted-incidents.ts): its
 * deadline is absolute, so a late start still watches the same 72 hours. Before, the
 * record waited out the Temporal client's tries (about 5.6 s) and was refused with a 503.
 */
export const INCIDENT_START_DEADLINE_MS = 5 * SECOND;

/**
 * The kinds of personal data an incident may concern; each finds the people whose data
 * of that kind existed during the incident's time window (stores/incident.ts).
 */
export const INCIDENT_CATEGORIES = [
  'account',
  'uploads',
  'videos',
  'prompts',
  'payments',
  'sessions',
  'scripts',
  'support',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export const INCIDENT_CATEGORY_WORDS: Readonly<Record<IncidentCategory, string>> = {
  account: 'account details (name, email address, date of birth)',
  uploads: 'uploaded images, videos and recordings',
  videos: "generated videos (with script projects' scene clips and voice tracks)",
  prompts: 'prompts and job settings',
  payments: 'payment records (never card numbers)',
  sessions: 'session logs (IP address, browser)',
  scripts: 'scripts of script projects (their text and scenes)',
  support: 'support tickets and their messages',
};

export const INCIDENT_STATUSES = [
  /** Recorded; the affected people are being found. */
  'finding_affected',
  /** Notices are going out, batch by batch. */
  'notifying',
  /** Every affected person was told; the authority may still be due. */
  'notified',
  /** Both done: the people told and the authority notified. */
  'closed',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const NOTICE_STATUSES = [
  'pending',
  /** Claimed just before its email is handed to the mail server. */
  'sending',
  'sent',
  /**
   * The worker stopped between the claim and the mail server's answer: the email may or
   * may not have gone. Never sent again automatically (nobody gets two); a person checks.
   */
  'unconfirmed',
  /** The account was deleted before its notice could be sent: nobody to write to. */
  'no_address',
  /**
   * The person's mail server refused the notice for good (an unknown mailbox): they were
   * not told by email, and a person reaches them another way or by a public notice.
   */
  'refused',
] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** People emailed per activity call. */
export const INCIDENT_NOTICE_BATCH = 50;
/** At least this long between two notices: mail providers throttle bursts (10 a second). */
export const INCIDENT_NOTICE_INTERVAL_MS = SECOND / 10;

export function authorityDeadline(discoveredAt: Date | string): Date {
  return new Date(new Date(discoveredAt).getTime() + AUTHORITY_DEADLINE_MS);
}

export type AuthorityStatus = 'due' | 'overdue' | 'notified' | 'notified_late';

/** Where the authority's notification stands at `now`. */
export function authorityStatus(
  deadlineAt: Date | string,
  notifiedAt: Date | string | null,
  now = Date.now(),
): AuthorityStatus {
  const deadline = new Date(deadlineAt).getTime();
  if (notifiedAt) return new Date(notifiedAt).getTime() <= deadline ? 'notified' : 'notified_late';
  return now > deadline ? 'overdue' : 'due';
}

/**
 * Incidents the legal team's page lists at a time, newest first (an open one is at most 72
 * hours old, so on the first page); and the most one page may ask.
 */
export const INCIDENT_LIST_LIMIT = 20;
export const INCIDENT_LIST_MAX_LIMIT = 100;
