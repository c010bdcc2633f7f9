import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { User } from './User.ts';

/** A price given for one exact request, valid for a few minutes; a job made with it is charged exactly this. */
export const PriceQuote = defineEntity({
  name: 'PriceQuote',
  tableName: 'price_quotes',
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().deleteRule('cascade').index(),
    requestHash: p.string().length(64),
    model: p.string().length(64),
    credits: p.integer(),
    createdAt: createdNow(),
    expiresAt: p.datetime(),
  },
});
export type PriceQuote = InferEntity<typeof PriceQuote>;
