// What the API takes and gives for announcements (D-CONSENT, D-OBJECT, D-UNSUB): a
// marketing campaign sent to everyone who opted in and did not object. One schema for
// the API and the site (`z.infer`).
import { z } from 'zod';
import { CAMPAIGN_LIST_LIMIT, CAMPAIGN_LIST_MAX_LIMIT } from '../announcement.ts';
import { IDEMPOTENCY_KEY_PATTERN } from '../generation.ts';
import { nextCursor, pageQuery } from './page.ts';

export const campaignBody = z
  .object({ subject: z.string().trim().min(3).max(200), body: z.string().trim().min(3).max(20_000) })
  .strict();
export type CampaignBody = z.infer<typeof campaignBody>;

/**
 * A campaign is sent once per key: a request sent again (its answer lost, a button
 * pressed twice) answers with the campaign the first one started, and nobody gets the
 * email twice; the same key with another email is refused (409). Without it, each
 * request is a campaign of its own.
 */
export const campaignHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, { error: 'Must be 8 to 128 letters, digits, . _ : -.' })
    .optional()
    .meta({
      description:
        'A unique key per campaign, reused when retrying: the same key answers with the same campaign.',
      example: 'campaign-2026-12-summer',
    }),
});

export const campaignStarted = z.object({
  campaignId: z.uuid(),
  workflowId: z.string(),
  kept: z.boolean().meta({
    description:
      'True when Temporal did not answer in time: the campaign is kept and its email starts once Temporal answers.',
  }),
});
export type CampaignStarted = z.infer<typeof campaignStarted>;

/**
 * A campaign as its admin's page shows it: kept (Temporal did not answer its start yet),
 * sending, or sent, with how many emails went.
 */
export const campaignSummary = z.object({
  campaignId: z.uuid(),
  subject: z.string(),
  createdAt: z.string(),
  state: z.enum(['kept', 'sending', 'sent']),
  sent: z.number().int().nullable(),
  finishedAt: z.string().nullable(),
});
export type CampaignSummary = z.infer<typeof campaignSummary>;

export const campaignListQuery = z.object({
  ...pageQuery(CAMPAIGN_LIST_LIMIT, CAMPAIGN_LIST_MAX_LIMIT),
});
export type CampaignListQuery = z.infer<typeof campaignListQuery>;

export const campaignList = z.object({
  campaigns: z.array(campaignSummary),
  nextCursor,
});
export type CampaignList = z.infer<typeof campaignList>;
