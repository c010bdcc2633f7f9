// Email announcements to many users, batch by batch (`announcement-<id>`, task queue
// `privacy`): a material policy change to every account (D-POLICY), or marketing to
// those who opted in and did not object (D-CONSENT, D-OBJECT, D-UNSUB). Each batch
// sends to each user at most once, so a restart repeats nothing. The users whose relay
// deferred their email are tried again once the batches are done: one activity, retried
// by Temporal until each is delivered or its delivery window has passed.
import { continueAsNew, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
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

export async function announcementWorkflow(input: AnnouncementInput): Promise<AnnouncementResult> {
  const startedAt = input.startedAt ?? workflowInfo().startTime.toISOString();
  let afterId: string | null = input.afterId ?? '00000000-0000-0000-0000-000000000000';
  let sent = input.sent ?? 0;
  let skipped = input.skipped ?? 0;
  const deferred = [...(input.deferred ?? [])];
  while (afterId !== null) {
    const batch: BatchResult = await batches.sendAnnouncementBatch({
      announcement: input.announcement,
      afterId,
      startedAt,
    });
    sent += batch.sent;
    skipped += batch.skipped;
    deferred.push(...(batch.deferred ?? []));
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
  // Only batches of this code name deferred users: a history from before never gets here.
  if (deferred.length && patched(DEFERRED_TRIED_AGAIN)) {
    const again = await batches.sendDeferredAnnouncement({
      announcement: input.announcement,
      userIds: deferred,
      startedAt,
    });
    sent += again.sent;
    skipped += again.skipped;
  }
  return { sent, skipped };
}
