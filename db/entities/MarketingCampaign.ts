import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow } from './columns.ts';

/**
 * A marketing campaign an admin sent (D-CONSENT, D-UNSUB), kept before its announcement
 * is started: a request sent again with its Idempotency-Key finds it (and is refused if
 * it carries another email), and a start Temporal did not answer is made by the unstarted
 * sweep from what is kept here. The text is the admin's, to everyone: no personal data.
 */
export const MarketingCampaign = defineEntity({
  name: 'MarketingCampaign',
  tableName: 'marketing_campaigns',
  properties: {
    /** Random, or (with an Idempotency-Key) a UUID of the admin and the key. */
    id: p.uuid().primary(),
    /** The admin who sent it (a staff account's id, kept after that account ends). */
    sentBy: p.uuid(),
    idempotencyKey: p.string().length(128).nullable(),
    subject: p.string().length(200),
    body: p.text(),
    createdAt: createdNow(),
    /** When its last email went (or was given up on), with how many were sent; null while sending. */
    finishedAt: p.datetime().nullable(),
    sent: p.integer().nullable(),
  },
});
export type MarketingCampaign = InferEntity<typeof MarketingCampaign>;
