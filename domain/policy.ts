// The versioned privacy policy (D-POLICY): when a published change needs a person's
// acceptance before they go on, and how long the API may remember the newest such
// version. Pure: safe anywhere.
import { SECOND } from './time.ts';

/** How long an API process keeps the newest version that needs consent before reading it again. */
export const POLICY_CACHE_MS = 10 * SECOND;

/**
 * How long publishing a material change waits for Temporal to start its announcement.
 * Not started in time, the version is published all the same and the announcement kept
 * for the unstarted sweep (activities/sweeps/unstarted-policy-announcements.ts). Before,
 * the version was published, the request answered 503 after the Temporal client's tries
 * (about 5.6 s), and publishing it again answered 409: the change was never announced.
 */
export const POLICY_ANNOUNCEMENT_START_DEADLINE_MS = 5 * SECOND;

/** The newest published version that needs consent, as the gate compares it. */
export interface ConsentVersion {
  version: string;
  publishedAt: Date;
}

/**
 * Must this user accept a policy version before going on? Yes when the newest version
 * that needs consent was published after the account was made (sign-up accepts the
 * policy in force then) and after the user last accepted a version.
 */
export function policyAcceptanceRequired(
  user: { createdAt: Date; policyAcceptedAt?: Date | null },
  latestRequiringConsent: ConsentVersion | null,
): boolean {
  if (!latestRequiringConsent) return false;
  const since = Math.max(user.createdAt.getTime(), user.policyAcceptedAt?.getTime() ?? 0);
  return since < latestRequiringConsent.publishedAt.getTime();
}

/** Published versions the policy page lists, newest first (one or two a year). */
export const POLICY_VERSION_LIST_LIMIT = 50;
