import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';

/** Fixed-window request counters shared by every API instance (S-RATE). Keys are hashed. */
export const RateLimitBucket = defineEntity({
  name: 'RateLimitBucket',
  tableName: 'rate_limit_buckets',
  properties: {
    key: p.string().length(128).primary(),
    hits: p.integer(),
    resetAt: p.datetime().index(),
  },
});
export type RateLimitBucket = InferEntity<typeof RateLimitBucket>;
