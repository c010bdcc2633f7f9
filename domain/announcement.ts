// Email announcements to many users (D-POLICY, D-UNSUB): what is announced, and how
// many people one batch reaches. Pure: the workflow, its activity and its client share it.
import { SECOND } from './time.ts';

/** A material policy change (to every account) or marketing (to those who opted in). */
export type Announcement =
  | { kind: 'policy'; version: string }
  | { kind: 'marketing'; campaignId: string; subject: string; body: string };

/** Users emailed per activity call by an announcement. */
export const ANNOUNCEMENT_BATCH_SIZE = 200;

/**
 * Deferred recipients an announcement carries before it tries them again: their ids
 * travel in its history (about 40 bytes each), far under Temporal's 2 MB payload limit.
 * Only a recipient the relay deferred is carried; a relay that fails as a whole (down,
 * refusing the connection) fails the batch, which Temporal retries.
 */
export const ANNOUNCEMENT_DEFERRED_MAX = 1000;

/**
 * How long sending a marketing campaign waits for Temporal to start its announcement. Not
 * started in time, the campaign is kept (it is stored before its start) and the unstarted
 * sweep starts it (activities/sweeps/unstarted-marketing-campaigns.ts). Before, the
 * request answered 503 after the Temporal client's tries (about 5.6 s) and kept nothing.
 */
export const CAMPAIGN_START_DEADLINE_MS = 5 * SECOND;

/** The campaigns an admin's page lists at a time, newest first; and the most one page may ask. */
export const CAMPAIGN_LIST_LIMIT = 20;
export const CAMPAIGN_LIST_MAX_LIMIT = 100;
