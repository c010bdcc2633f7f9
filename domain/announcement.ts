// Email announcements to many users (D-POLICY, D-UNSUB): what is announced, and how
// many people one batch reaches. Pure: the workflow, its activity and its client share it.

/** A material policy change (to every account) or marketing (to those who opted in). */
export type Announcement =
  | { kind: 'policy'; version: string }
  | { kind: 'marketing'; campaignId: string; subject: string; body: string };

/** Users emailed per activity call by an announcement. */
export const ANNOUNCEMENT_BATCH_SIZE = 200;
