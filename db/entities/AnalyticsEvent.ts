import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ANALYTICS_EVENT_TYPES } from '../../domain/analytics.ts';
import { User } from './User.ts';

/**
 * First-party product analytics, stored only with consent and never for a request that
 * carries Do Not Track or Global Privacy Control (D-DNT). Identifying rows are kept 12
 * months (R-ANALYTICS-12M); only de-identified totals outlive them.
 */
export const AnalyticsEvent = defineEntity({
  name: 'AnalyticsEvent',
  tableName: 'analytics_events',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('cascade').index(),
    visitorId: p.string().length(64).nullable().index(),
    type: p.enum(ANALYTICS_EVENT_TYPES),
    name: p.string().length(100),
    path: p.string().length(300).nullable(),
    valueMs: p.integer().nullable(),
    createdAt: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
  },
});
export type AnalyticsEvent = InferEntity<typeof AnalyticsEvent>;
