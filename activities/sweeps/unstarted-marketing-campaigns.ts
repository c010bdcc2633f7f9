// Marketing campaigns sent while Temporal did not answer their announcement's start
// (use-cases/announcement.ts records them in `unstarted_marketing_campaigns`): started
// here, in the same scheduled run as unstarted jobs, once Temporal answers, with the
// subject and text the campaign's row keeps. Each row is removed once its start is
// answered; a start tried again finds the announcement started under the campaign's own
// id, and sends nobody a second email (each batch sends to each account at most once).
import { startCampaignAnnouncement } from '../../clients/announcement.ts';
import { MarketingCampaign, UnstartedMarketingCampaign } from '../../db/entities/index.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedMarketingCampaignActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedMarketingCampaigns(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      return startEach(
        namedIn(em, UnstartedMarketingCampaign, deps.config, (w) => w.campaign, MarketingCampaign),
        {
          waits: () => true,
          start: (row) => startCampaignAnnouncement(deps.temporal.client, row),
          forget: (row) => em.nativeDelete(UnstartedMarketingCampaign, { campaign: row.id }),
        },
      );
    },
  };
}
