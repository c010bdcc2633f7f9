// Privacy housekeeping, started by Temporal Schedules (worker/schedules.ts): identifying
// analytics past 12 months become de-identified daily totals (R-ANALYTICS-12M), and the
// email log past 2 years is deleted (R-SUPPORT-3Y).
import { proxyActivities } from '@temporalio/workflow';
import type { PrivacyActivities } from '../activities/privacy/index.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// A sweep that keeps failing gives up: the next scheduled run starts afresh.
const sweeps = proxyActivities<PrivacyActivities>({
  startToCloseTimeout: 30 * MINUTE,
  heartbeatTimeout: 2 * MINUTE,
  retry: {
    initialInterval: 5 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: 5 * MINUTE,
    maximumAttempts: 5,
  },
});

export async function analyticsSweepWorkflow(): Promise<{ aggregated: number; cutoff: string }> {
  return sweeps.aggregateOldAnalytics();
}

export async function emailLogSweepWorkflow(): Promise<{ deleted: number; cutoff: string }> {
  return sweeps.deleteOldEmailLog();
}
