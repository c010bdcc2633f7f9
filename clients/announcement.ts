// The Temporal client side of `announcement-<id>` (D-POLICY, D-UNSUB): a policy change
// announced to every account, or a marketing campaign to those who opted in. Starting
// twice with the same id starts one announcement.
import type { Client } from '@temporalio/client';
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

/** Starts the announcement; answers its workflow id (the running one's, if started before). */
export async function startAnnouncement(
  client: Client,
  id: string,
  announcement: Announcement,
): Promise<string> {
  const workflowId = workflowIds.announcement(id);
  await startOnce<typeof announcementWorkflow>(client, 'announcementWorkflow', {
    taskQueue: TASK_QUEUES.privacy,
    workflowId,
    args: [{ announcement }],
  });
  return workflowId;
}
