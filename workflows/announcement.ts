// Email announcements to many users, batch by batch (`announcement-<id>`, task queue
// `privacy`): a material policy change to every account (D-POLICY), or marketing to
// those who opted in and did not object (D-CONSENT, D-OBJECT, D-UNSUB). Each batch
// sends to each user at most once, so a restart repeats nothing. The users whose relay
// deferred their email are tried again once the batches are done (or once
// ANNOUNCEMENT_DEFERRED_MAX of them are carried): one activity, retried by Temporal until
// each is delivered or its delivery window has passed.
import { continueAsNew, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AnnouncementActivities, BatchResult } from '../activities/announcement.ts';
import { ANNOUNCEMENT_DEFERRED_MAX, type Announcement } from '../domain/announcement.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

const batches = proxyActivities<AnnouncementActivities>({
  startToCloseTimeout: 10 * MINUTE,
  retry: { initialInterval: 2 * SECOND, backoffCoefficient: 2, maximumInterval: 2 * MINUTE },
});

export interface AnnouncementInput {
  announcement: Announcement;
  /** Carried over by continue-as-new. */
  afterId?: string;
  sent?: number;
  skipped?: number;
  /** Users whose email was deferred so far, and when the announcement began. */
  deferred?: string[];
  startedAt?: string;
}

export interface AnnouncementResult {
  sent: number;
  skipped: number;
}

/** Patch id: deferred recipients are named by the batches and tried again at the end. */
const DEFERRED_TRIED_AGAIN = 'announcement-deferred-tried-again';
/** Patch id: a marketing campaign's end and count are recorded on its row. */
const CAMPAIGN_END_RECORDED = 'announcement-campaign-end-recorded';

export async function announcementWorkflow(input: AnnouncementInput): Promise<AnnouncementResult> {
  const startedAt = input.startedAt ?? workflowInfo().startTime.toISOString();
  let afterId: string | null = input.afterId ?? '00000000-0000-0000-0000-000000000000';
  let sent = input.sent ?? 0;
  let skipped = input.skipped ?? 0;
  let deferred = [...(input.deferred ?? [])];
  // Only batches of this code name deferred users: a history from before never tries them.
  const tryDeferredAgain = async () => {
    const again = await batches.sendDeferredAnnouncement({
      announcement: input.announcement,
      userIds: deferred,
      startedAt,
    });
    sent += again.sent;
    skipped += again.skipped;
    deferred = [];
  };
  while (afterId !== null) {
    const batch: BatchResult = await batches.sendAnnouncementBatch({
      announcement: input.announcement,
      afterId,
      startedAt,
    });
    sent += batch.sent;
    skipped += batch.skipped;
    deferred.push(...(batch.deferred ?? []));
    if (deferred.length >= ANNOUNCEMENT_DEFERRED_MAX && patched(DEFERRED_TRIED_AGAIN)) {
      await tryDeferredAgain();
    }
    afterId = batch.nextAfterId;
    if (afterId !== null && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof announcementWorkflow>({
        ...input,
        afterId,
        sent,
        skipped,
        deferred,
        startedAt,
      });
    }
  }
  if (deferred.length && patched(DEFERRED_TRIED_AGAIN)) await tryDeferredAgain();
  // The admin's page reads a campaign's end from PostgreSQL, not from this history: one
  // action a campaign. Runs begun before do not record it.
  if (input.announcement.kind === 'marketing' && patched(CAMPAIGN_END_RECORDED)) {
    await batches.recordCampaignSent({ campaignId: input.announcement.campaignId, sent });
  }
  return { sent, skipped };
}
