// The Temporal client side of `announcement-<id>` (D-POLICY, D-UNSUB): a policy change
// announced to every account, or a marketing campaign to those who opted in. Starting
// twice with the same id starts one announcement.
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { Announcement } from '../domain/announcement.ts';
import { TASK_QUEUES, workflowIds } from '../domain/temporal.ts';
import type { announcementWorkflow } from '../workflows/announcement.ts';
import { startOnce } from './start.ts';

/** A material policy change is announced once per version (D-POLICY). */
const policyKey = (version: string): string => `policy-${version}`;

export const policyAnnouncementId = (version: string): string => workflowIds.announcement(policyKey(version));

/** Starts the announcement of a material policy change; answers its workflow id. */
export const startPolicyAnnouncement = (client: Client, version: string): Promise<string> =>
  startAnnouncement(client, policyKey(version), { kind: 'policy', version });

/** A marketing campaign is announced once per campaign (D-CONSENT, D-UNSUB). */
const campaignKey = (campaignId: string): string => `marketing-${campaignId}`;

export const campaignAnnouncementId = (campaignId: string): string =>
  workflowIds.announcement(campaignKey(campaignId));

/** Starts the email of a marketing campaign, kept as its row holds it; answers its workflow id. */
export const startCampaignAnnouncement = (
  client: Client,
  campaign: { id: string; subject: string; body: string },
): Promise<string> =>
  startAnnouncement(client, campaignKey(campaign.id), {
    kind: 'marketing',
    campaignId: campaign.id,
    subject: campaign.subject,
    body: campaign.body,
  });

/** Starts the announcement; answers its workflow id (the running one's, if started before). */
async function startAnnouncement(client: Client, id: string, announcement: Announcement): Promise<string> {
  const workflowId = workflowIds.announcement(id);
  await startOnce<typeof announcementWorkflow>(client, 'announcementWorkflow', {
    taskQueue: TASK_QUEUES.privacy,
    workflowId,
    // Sent again after it ended (a campaign's request retried late, the sweep's start
    // tried again), an announcement is not run a second time over every account; one
    // that failed may be.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    args: [{ announcement }],
  });
  return workflowId;
}
