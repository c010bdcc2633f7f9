// Email announcements to many users, batch by batch (`announcement-<id>`, task queue
// `privacy`): a material policy change to every account (D-POLICY), or marketing to
// those who opted in and did not object (D-CONSENT, D-OBJECT, D-UNSUB). Each batch
// sends to each user at most once, so a restart repeats nothing.
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { AnnouncementActivities, BatchResult } from '../activities/announcement.ts';
import type { Announcement } from '../domain/announcement.ts';
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
}

export interface AnnouncementResult {
  sent: number;
  skipped: number;
}

export async function announcementWorkflow(input: AnnouncementInput): Promise<AnnouncementResult> {
  let afterId: string | null = input.afterId ?? '00000000-0000-0000-0000-000000000000';
  let sent = input.sent ?? 0;
  let skipped = input.skipped ?? 0;
  while (afterId !== null) {
    const batch: BatchResult = await batches.sendAnnouncementBatch({
      announcement: input.announcement,
      afterId,
    });
    sent += batch.sent;
    skipped += batch.skipped;
    afterId = batch.nextAfterId;
    if (afterId !== null && workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof announcementWorkflow>({ ...input, afterId, sent, skipped });
    }
  }
  return { sent, skipped };
}
