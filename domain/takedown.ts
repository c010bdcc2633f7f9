// Take-down requests (S-TAKEDOWN): what anyone may report, why, how a request moves from
// filing to a person's decision, the removal of the content and all that was made from
// it, and the creator's answer. Pure: the workflow, the API and the site share it.
import { DAY, HOUR, SECOND } from './time.ts';

export const TAKEDOWN_REASONS = ['illegal_content', 'deepfake', 'copyright'] as const;
export type TakedownReason = (typeof TAKEDOWN_REASONS)[number];

/** Words for the reasons, for the form, the dashboard and the creator's email. */
export const TAKEDOWN_REASON_WORDS: Readonly<Record<TakedownReason, string>> = {
  illegal_content: 'illegal content',
  deepfake: 'a deepfake of a real person without their consent',
  copyright: 'a copyright infringement',
};

/** What a request names: a job, a stored file, or a link to either. */
export const TAKEDOWN_TARGETS = ['job', 'asset', 'link'] as const;
export type TakedownTarget = (typeof TAKEDOWN_TARGETS)[number];

export const TAKEDOWN_STATUSES = [
  /** Filed; legal staff decide. */
  'awaiting_decision',
  /** Upheld: the content and all made from it are being deleted. */
  'removing',
  /** Removed and the creator told; their answer is awaited. */
  'awaiting_answer',
  'closed',
] as const;
export type TakedownStatus = (typeof TAKEDOWN_STATUSES)[number];

export const TAKEDOWN_DECISIONS = ['upheld', 'rejected'] as const;
export type TakedownDecision = (typeof TAKEDOWN_DECISIONS)[number];

/** How long the creator may answer after being told (the request stays open that long). */
export const TAKEDOWN_ANSWER_WINDOW_MS = 14 * DAY;
/** When a decision is due after filing: shown on the legal dashboard. */
export const TAKEDOWN_DECISION_DUE_MS = 24 * HOUR;

/**
 * Requests the legal team's page lists at a time, newest filed first (anyone may file
 * one, so there can be many); and the most one page may ask.
 */
export const TAKEDOWN_LIST_LIMIT = 50;
export const TAKEDOWN_LIST_MAX_LIMIT = 100;

/**
 * How long a filed request waits for its workflow's start. While Temporal does not
 * answer, the request is kept and answered as filed, and the unstarted sweep starts its
 * workflow once Temporal answers (activities/sweeps/unstarted-takedowns.ts). Before, the
 * request waited out the Temporal client's tries (about 5.6 s) and was refused with a 503.
 */
export const TAKEDOWN_START_DEADLINE_MS = 5 * SECOND;

export const TAKEDOWN_DETAILS_MAX = 5000;
export const TAKEDOWN_ANSWER_MAX = 5000;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** An object key or a download link's path: `users/<owner>/<folder>/<assetId>`. */
const OBJECT_PATH = new RegExp(`/users/${UUID}/[a-z]+/(${UUID})(?:$|[/?#])`, 'i');
/** A page of the site: `/jobs/<id>` or `/library/<id>`. */
const SITE_PATH = new RegExp(`/(jobs|library)/(${UUID})(?:$|[/?#])`, 'i');

/**
 * What a link names: a download link (it carries the object's key) or a page of the
 * site. Null for anything else: the request then has to name a job or file id.
 */
export function parseContentLink(link: string): { type: 'job' | 'asset'; id: string } | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(link).pathname);
  } catch {
    return null;
  }
  const object = OBJECT_PATH.exec(path);
  if (object) return { type: 'asset', id: object[1]!.toLowerCase() };
  const site = SITE_PATH.exec(path);
  if (site) return { type: site[1] === 'jobs' ? 'job' : 'asset', id: site[2]!.toLowerCase() };
  return null;
}
