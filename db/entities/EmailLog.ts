import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { EMAIL_CATEGORIES, EMAIL_OUTCOMES } from '../../domain/consent.ts';
import { User } from './User.ts';

/**
 * What the platform emailed, to whom, when (R-SUPPORT-3Y: email communications are kept
 * 2 years, then swept). The recipient is a keyed hash, never the address; no subject or
 * body is kept. `dedupeKey` makes a retried send a no-op. A mail the relay refused for
 * good is logged too, as refused, at the time it was refused: nothing sends it again.
 */
export const EmailLog = defineEntity({
  name: 'EmailLog',
  tableName: 'email_log',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    dedupeKey: p.string().length(200).unique(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('cascade').index(),
    recipientHash: p.string().length(64),
    template: p.string().length(64),
    category: p.enum(EMAIL_CATEGORIES),
    sentAt: p.datetime().index(),
    outcome: p.enum(EMAIL_OUTCOMES).default('sent'),
  },
});
export type EmailLog = InferEntity<typeof EmailLog>;
