// Housekeeping, started by Temporal Schedules (worker/schedules.ts): session logs past
// their retention (R-SESSION-30D), identifying analytics past 12 months turned into
// de-identified daily totals (R-ANALYTICS-12M), the email log past 2 years and support
// tickets 3 years after closing (R-SUPPORT-3Y), payment records past 7 years turned into
// de-identified monthly totals (R-PAY-7Y), what account deletions kept past its end
// dates, the reconciliation of the bucket with the asset rows (orphaned objects deleted
// with proof, missing objects reported), and assets still stored well past their
// delete-at because their retention workflow was lost; and jobs and script runs saved
// while Temporal did not answer, started once it does, signals it did not take, and
// the retention workflows of uploads, the rights requests, take-downs and incidents
// kept meanwhile.
import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PaymentRecordSweep } from '../activities/sweeps/billing.ts';
import type { KeptRecordSweep } from '../activities/sweeps/kept-records.ts';
import type { SweepActivities } from '../activities/sweeps/index.ts';
import type { SupportTicketSweep } from '../activities/sweeps/support.ts';
import type { EmailSweep } from '../activities/sweeps/privacy.ts';
import type { OverdueAssetsResult } from '../activities/sweeps/overdue.ts';
import type { UnstartedSweepResult } from '../activities/sweeps/unstarted-work.ts';
import { ASSET_KEY_PREFIX, ORPHAN_GRACE_MS, OVERDUE_GRACE_MS } from '../domain/retention.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// A sweep that keeps failing gives up: the next scheduled run starts afresh.
const sweeps = proxyActivities<SweepActivities>({
  startToCloseTimeout: 30 * MINUTE,
  heartbeatTimeout: 2 * MINUTE,
  retry: {
    initialInterval: 5 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: 5 * MINUTE,
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['InvalidSweepScope'],
  },
});

export interface SessionLogSweepResult {
  deleted: number;
  cutoff: string;
}

/**
 * What Temporal did not take while it did not answer, now that it does: jobs, script
 * runs, uploads' retentions, rights requests, take-downs, incidents, policy
 * announcements, marketing campaigns and minors' timers whose start it missed, Stripe's
 * subscription events, then signals for changes already made.
 */
export async function unstartedJobSweepWorkflow(): Promise<UnstartedSweepResult> {
  // One activity a run (activities/sweeps/unstarted-work.ts): it runs every minute, and
  // each activity is a billed action. Runs begun before take one activity a kind.
  if (patched('unstarted-work-in-one-activity')) return sweeps.startUnstartedWork();
  const none = { started: 0, dropped: 0, refused: 0 };
  const jobs = await sweeps.startUnstartedJobs();
  // Runs that began before script runs and signals were swept too have none of them.
  const scriptRuns = patched('unstarted-script-runs') ? await sweeps.startUnstartedScriptRuns() : none;
  // Uploads' retentions, rights requests and take-downs first, so the signals recorded
  // meanwhile find their workflows.
  const retentions = patched('unstarted-retentions') ? await sweeps.startUnstartedRetentions() : none;
  const rightsRequests = patched('unstarted-rights-requests')
    ? await sweeps.startUnstartedRightsRequests()
    : none;
  const takedowns = patched('unstarted-takedowns') ? await sweeps.startUnstartedTakedowns() : none;
  const signals = patched('untold-signals')
    ? await sweeps.sendUntoldSignals()
    : { sent: 0, dropped: 0, refused: 0 };
  return {
    jobs,
    scriptRuns,
    retentions,
    rightsRequests,
    takedowns,
    incidents: none,
    policyAnnouncements: none,
    marketingCampaigns: none,
    parentalConsents: none,
    subscriptionEvents: { sent: 0, dropped: 0, refused: 0 },
    signals,
  };
}

export async function sessionLogSweepWorkflow(): Promise<SessionLogSweepResult> {
  const result = await sweeps.deleteOldSessionLogs();
  // The same hourly pass clears expired quotes, tokens and counters.
  await sweeps.deleteExpiredEphemera();
  return result;
}

export interface OrphanSweepInput {
  /** Defaults to every asset object (`users/`); tests narrow it to their own user. */
  prefix?: string;
  graceMs?: number;
}

export interface OrphanSweepResult {
  scanned: number;
  orphansDeleted: number;
  orphansHeld: number;
  checked: number;
  missing: number;
}

export async function orphanSweepWorkflow(input: OrphanSweepInput = {}): Promise<OrphanSweepResult> {
  const scope = {
    sweepId: workflowInfo().runId,
    prefix: input.prefix ?? ASSET_KEY_PREFIX,
    graceMs: input.graceMs ?? ORPHAN_GRACE_MS,
  };
  const orphans = await sweeps.sweepOrphanObjects(scope);
  const missing = await sweeps.findMissingObjects(scope);
  return { ...orphans, ...missing };
}

export interface OverdueSweepInput {
  /** Defaults to every asset (`users/`); tests narrow it to their own user. */
  prefix?: string;
  graceMs?: number;
}

/** R-OUT-7D, R-IN-30D: what a lost retention workflow left is deleted as its timer would have. */
export async function overdueAssetSweepWorkflow(input: OverdueSweepInput = {}): Promise<OverdueAssetsResult> {
  return sweeps.deleteOverdueAssets({
    sweepId: workflowInfo().runId,
    prefix: input.prefix ?? ASSET_KEY_PREFIX,
    graceMs: input.graceMs ?? OVERDUE_GRACE_MS,
  });
}

export async function analyticsSweepWorkflow(): Promise<{ aggregated: number; cutoff: string }> {
  return sweeps.aggregateOldAnalytics();
}

/** R-SUPPORT-3Y: email communications (the log, marketing campaigns) older than 2 years. */
export async function emailLogSweepWorkflow(): Promise<EmailSweep> {
  return sweeps.deleteOldEmailLog();
}

/** The records an account deletion kept, past their end dates (KEPT_AFTER_DELETION). */
export async function keptRecordSweepWorkflow(): Promise<KeptRecordSweep> {
  return sweeps.deleteKeptRecordsPastEnd();
}

export async function paymentRecordSweepWorkflow(): Promise<PaymentRecordSweep> {
  return sweeps.deleteOldPaymentRecords();
}

export async function supportTicketSweepWorkflow(): Promise<SupportTicketSweep> {
  return sweeps.sweepSupportTickets();
}
