// The versioned privacy policy (D-POLICY): when a published change needs a person's
// acceptance before they go on, and how long the API may remember the newest such
// version. Pure: safe anywhere.
import { SECOND } from './time.ts';

/** How long an API process keeps the newest version that needs consent before reading it again. */
export const POLICY_CACHE_MS = 10 * SECOND;

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
