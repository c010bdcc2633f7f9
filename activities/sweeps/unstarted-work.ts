// The unstarted sweep's work in one activity: every start Temporal missed while it did
// not answer (jobs, script runs, uploads' retentions, rights requests, take-downs,
// incidents, policy announcements, marketing campaigns, minors' timers), Stripe's
// subscription events the webhook kept (each a signal-with-start), then the signals it
// did not take (a provider's callback among them), last, so that they find
// their workflows. One activity a run, not one a kind: the sweep runs every minute, and
// each activity is a billed action on Temporal Cloud and a write on a cluster (one a kind
// would be ten a run, 14,400 actions a day; one is 1,440). Each kind's rows are removed
// as they are answered, so an attempt after a failure goes on where the last one
// stopped.
import { createUnstartedIncidentActivities } from './unstarted-incidents.ts';
import { createUnstartedJobActivities } from './unstarted-jobs.ts';
import { createUnstartedMarketingCampaignActivities } from './unstarted-marketing-campaigns.ts';
import { createUnstartedParentalConsentActivities } from './unstarted-parental-consents.ts';
import { createUnstartedPolicyAnnouncementActivities } from './unstarted-policy-announcements.ts';
import { createUnstartedRetentionActivities } from './unstarted-retentions.ts';
import { createUnstartedRightsRequestActivities } from './unstarted-rights-requests.ts';
import { createUnstartedScriptRunActivities } from './unstarted-script-runs.ts';
import { createUnstartedTakedownActivities } from './unstarted-takedowns.ts';
import type { UnstartedSweep, UnstartedSweepDeps } from './unstarted.ts';
import type Stripe from 'stripe';
import type { KeptWorkKind } from '../../stores/kept-work.ts';
import { warn } from '../log.ts';
import { createUntoldSignalActivities, type UntoldSignalSweep } from './untold-signals.ts';
import { createUntoldSubscriptionEventActivities } from './untold-subscription-events.ts';

export interface UnstartedSweepResult {
  jobs: UnstartedSweep;
  scriptRuns: UnstartedSweep;
  /** Uploads' retention workflows. */
  retentions: UnstartedSweep;
  rightsRequests: UnstartedSweep;
  takedowns: UnstartedSweep;
  incidents: UnstartedSweep;
  policyAnnouncements: UnstartedSweep;
  marketingCampaigns: UnstartedSweep;
  /** Minors' accounts' timers (D-MINOR). */
  parentalConsents: UnstartedSweep;
  /** Stripe's subscription events, given to their workflows (the first one starts it). */
  subscriptionEvents: UntoldSignalSweep;
  signals: UntoldSignalSweep;
}

// Each kind this sweep gives to Temporal is one operators see waiting (stores/kept-work.ts,
// the api's metrics), and no other: a kind added here without its table there fails to compile.
type SameKinds<A extends string, B extends string> = [A] extends [B]
  ? [B] extends [A]
    ? true
    : false
  : false;
export const EVERY_KIND_COUNTED: SameKinds<keyof UnstartedSweepResult, KeptWorkKind> = true;

/**
 * One warning a kind a run for the records Temporal refused, with why the first was: they
 * stay, and an operator alerted by their age (`clipwise_kept_work_oldest_seconds`) finds the
 * reason here, and in the sweep's history, without reading Temporal's own logs.
 */
export function warnOfRefusals(result: UnstartedSweepResult): void {
  for (const [kind, { refused, firstRefusal }] of Object.entries(result)) {
    if (refused > 0) warn('kept records Temporal refused stay', { kind, refused, firstRefusal });
  }
}

export function createUnstartedWorkActivities(deps: UnstartedSweepDeps & { stripe: Stripe }) {
  const jobs = createUnstartedJobActivities(deps);
  const scriptRuns = createUnstartedScriptRunActivities(deps);
  const retentions = createUnstartedRetentionActivities(deps);
  const rightsRequests = createUnstartedRightsRequestActivities(deps);
  const takedowns = createUnstartedTakedownActivities(deps);
  const incidents = createUnstartedIncidentActivities(deps);
  const policyAnnouncements = createUnstartedPolicyAnnouncementActivities(deps);
  const marketingCampaigns = createUnstartedMarketingCampaignActivities(deps);
  const parentalConsents = createUnstartedParentalConsentActivities(deps);
  const subscriptionEvents = createUntoldSubscriptionEventActivities(deps);
  const signals = createUntoldSignalActivities(deps);
  return {
    async startUnstartedWork(): Promise<UnstartedSweepResult> {
      const started = {
        jobs: await jobs.startUnstartedJobs(),
        scriptRuns: await scriptRuns.startUnstartedScriptRuns(),
        retentions: await retentions.startUnstartedRetentions(),
        rightsRequests: await rightsRequests.startUnstartedRightsRequests(),
        takedowns: await takedowns.startUnstartedTakedowns(),
        incidents: await incidents.startUnstartedIncidents(),
        policyAnnouncements: await policyAnnouncements.startUnstartedPolicyAnnouncements(),
        marketingCampaigns: await marketingCampaigns.startUnstartedMarketingCampaigns(),
        parentalConsents: await parentalConsents.startUnstartedParentalConsents(),
        subscriptionEvents: await subscriptionEvents.sendUntoldSubscriptionEvents(),
      };
      const result = { ...started, signals: await signals.sendUntoldSignals() };
      warnOfRefusals(result);
      return result;
    },
  };
}
