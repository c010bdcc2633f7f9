import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { ANALYTICS_EVENT_TYPES } from '../../domain/analytics.ts';

/**
 * De-identified analytics (R-ANALYTICS-12M): per day, event type and name, how many
 * events and their summed value. No user, visitor or path: nothing that points to a person.
 */
export const AnalyticsDailyTotal = defineEntity({
  name: 'AnalyticsDailyTotal',
  tableName: 'analytics_daily_totals',
  primaryKeys: ['day', 'type', 'name'],
  properties: {
    day: p.date().primary(),
    type: p.enum(ANALYTICS_EVENT_TYPES).primary(),
    name: p.string().length(100).primary(),
    events: p.integer(),
    valueMsSum: p.bigint('number').default(0),
    valueCount: p.integer().default(0),
  },
});
export type AnalyticsDailyTotal = InferEntity<typeof AnalyticsDailyTotal>;
