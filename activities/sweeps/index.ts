// The sweeps' activities: what Temporal Schedules run to remove what has outlived its
// retention (sessions, identifying analytics, the email log, payment records, support
// tickets, what account deletions kept), expired ephemera, the bucket's reconciliation
// with the asset rows, assets whose retention workflow was lost, jobs, script runs,
// uploads' retentions, rights requests, take-downs and incidents whose workflow Temporal
// did not start, and signals and Stripe's subscription events it did not take.
import type { MikroORM } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { Config } from '../../config/index.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createBillingSweepActivities } from './billing.ts';
import { createKeptRecordSweepActivities } from './kept-records.ts';
import { createObjectSweepActivities } from './objects.ts';
import { createOverdueSweepActivities } from './overdue.ts';
import { createPrivacySweepActivities } from './privacy.ts';
import { createSessionSweepActivities } from './sessions.ts';
import { createSupportSweepActivities } from './support.ts';
import { createUnstartedJobActivities } from './unstarted-jobs.ts';
import { createUnstartedRetentionActivities } from './unstarted-retentions.ts';
import { createUnstartedRightsRequestActivities } from './unstarted-rights-requests.ts';
import { createUnstartedScriptRunActivities } from './unstarted-script-runs.ts';
import { createUnstartedTakedownActivities } from './unstarted-takedowns.ts';
import { createUntoldSignalActivities } from './untold-signals.ts';
import { createUnstartedWorkActivities } from './unstarted-work.ts';

export function createSweepActivities(deps: {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  /** Cancels at Stripe a subscription started for a deleted person (a kept event's). */
  stripe: Stripe;
}) {
  return {
    ...createSessionSweepActivities(deps),
    ...createObjectSweepActivities(deps),
    ...createOverdueSweepActivities(deps),
    ...createPrivacySweepActivities(deps),
    ...createBillingSweepActivities(deps),
    ...createSupportSweepActivities(deps),
    ...createKeptRecordSweepActivities(deps),
    ...createUnstartedJobActivities(deps),
    ...createUnstartedScriptRunActivities(deps),
    ...createUnstartedRetentionActivities(deps),
    ...createUnstartedRightsRequestActivities(deps),
    ...createUnstartedTakedownActivities(deps),
    ...createUntoldSignalActivities(deps),
    ...createUnstartedWorkActivities(deps),
  };
}

export type SweepActivities = ReturnType<typeof createSweepActivities>;
