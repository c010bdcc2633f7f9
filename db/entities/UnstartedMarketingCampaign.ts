import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { MarketingCampaign } from './MarketingCampaign.ts';

/**
 * A marketing campaign sent while Temporal did not answer its announcement's start: the
 * unstarted sweep of the same Temporal namespace starts it from the campaign's row once
 * Temporal answers, then removes this row. Written only when a start fails, so the table
 * is empty while Temporal is up.
 */
export const UnstartedMarketingCampaign = defineEntity({
  name: 'UnstartedMarketingCampaign',
  tableName: 'unstarted_marketing_campaigns',
  properties: {
    campaign: () => p.manyToOne(MarketingCampaign).mapToPk().primary().deleteRule('cascade'),
    /** The Temporal namespace the campaign belongs in (one per deployment; one per test file). */
    namespace: p.string().length(255).index(),
    failedAt: p.datetime(),
  },
});
export type UnstartedMarketingCampaign = InferEntity<typeof UnstartedMarketingCampaign>;
