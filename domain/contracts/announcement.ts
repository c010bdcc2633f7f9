// What the API takes and gives for announcements (D-CONSENT, D-OBJECT, D-UNSUB): a
// marketing campaign sent to everyone who opted in and did not object. One schema for
// the API and the site (`z.infer`).
import { z } from 'zod';

export const campaignBody = z
  .object({ subject: z.string().trim().min(3).max(200), body: z.string().trim().min(3).max(20_000) })
  .strict();
export type CampaignBody = z.infer<typeof campaignBody>;

export const campaignStarted = z.object({ campaignId: z.uuid(), workflowId: z.string() });
export type CampaignStarted = z.infer<typeof campaignStarted>;
