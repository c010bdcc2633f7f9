// The account deletion workflow (`account-deletion-<pseudonym>`, task queue `privacy`;
// D-ERASE, R-ACCT-90D, D-RECIPIENTS, D-MINOR): verified first (D-VERIFY; support's
// finding of a minor is verified from the start), paused with a visible reason while a
// legal hold covers the person (R-HOLD, resumed by a signal when it is released, or by
// a periodic re-read of the holds), then: the person's subscriptions cancelled at Stripe
// before anything is erased (D-SUBSCRIPTION); sessions revoked; running jobs cancelled
// through their own workflows (credits released there); every file deleted through its
// retention workflow with proof; every row erased or anonymized (activities/account-
// deletion/rows.ts says what and why); erasure notices to the providers that received the
// data; the last email; the profile anonymized; the certificate. The owner can cancel
// until the claim that starts the deletion. Every step is idempotent by the user and
// request ids, so a worker lost anywhere is replaced and nothing is done twice.
import { condition, patched, proxyActivities, sleep } from '@temporalio/workflow';
import type {
  AccountDeletionActivities,
  EndedSubscription,
  ErasedRows,
} from '../activities/account-deletion/index.ts';
import {
  ASSET_PROOF_POLL_MS,
  DELETION_HEARTBEAT_TIMEOUT_MS,
  DELETION_HOLD_RECHECK_MS,
  type DeletionOrigin,
} from '../domain/account-deletion.ts';
import { DELETION_STEPS } from '../domain/rights-request.ts';
import { MINUTE, SECOND } from '../domain/time.ts';
import {
  awaitVerification,
  claim,
  requestRecords,
  trackProgress,
  type RequestProgress,
  type RequestWorkflowInput,
  type Tracker,
} from './rights-request.ts';

export interface AccountDeletionInput extends RequestWorkflowInput {
  origin: DeletionOrigin;
}

// Quick database steps: retried until the database answers.
const steps = proxyActivities<AccountDeletionActivities>({
  startToCloseTimeout: MINUTE,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    nonRetryableErrorTypes: ['RequestNotFound'],
  },
});
// Steps over many rows, files or provider calls: heartbeating, resumable.
const longSteps = proxyActivities<AccountDeletionActivities>({
  startToCloseTimeout: 30 * MINUTE,
  heartbeatTimeout: DELETION_HEARTBEAT_TIMEOUT_MS,
  retry: {
    initialInterval: 2 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: 2 * MINUTE,
    nonRetryableErrorTypes: ['RequestNotFound'],
  },
});

/** Patch id: a hold change is counted from the read of the holds, not from after the pause. */
const HOLD_CHANGE_COUNTED_FROM_READ = 'hold-change-counted-from-read';
/** Once the deletion has started (claimed), a cancel no longer ends a wait for a hold. */
const NO_CANCEL_ONCE_STARTED = 'no-cancel-once-started';
/** Subscriptions are cancelled at Stripe first (deletions started before this skip the step). */
const CANCEL_SUBSCRIPTIONS = 'cancel-subscriptions';

/** Pauses (visibly) while a legal hold covers the person; false when the owner cancelled meanwhile. */
async function waitWhileHeld(input: AccountDeletionInput, tracker: Tracker, started = false): Promise<void> {
  const { progress, flags } = tracker;
  // Before the claim the owner may still cancel; after it, only the hold's release goes on
  // (histories from before this rule replay as they ran). Asked only once a hold is found,
  // so a deletion nothing holds records no marker for it.
  let cancelOnlyBeforeStart: boolean | undefined;
  const mayCancel = () => (cancelOnlyBeforeStart ? !started : progress.status !== 'in_progress');
  for (;;) {
    const before = flags.holdChanged;
    const holds = await steps.deletionHolds(input.userId);
    if (holds.length === 0) {
      if (progress.pausedReason) {
        progress.pausedReason = null;
        if (progress.status === 'paused') {
          await requestRecords.resumeRequest(input.requestId);
          progress.status = 'in_progress';
        }
      }
      return;
    }
    if (!progress.pausedReason) {
      progress.pausedReason = 'legal_hold';
      await requestRecords.pauseRequest({ requestId: input.requestId, reason: 'legal_hold', holdIds: holds });
      progress.status =
        progress.status === 'verified' || progress.status === 'in_progress' ? 'paused' : progress.status;
    }
    cancelOnlyBeforeStart ??= patched(NO_CANCEL_ONCE_STARTED);
    // A release signalled while the holds were read or the pause recorded counts too
    // (histories from before this rule replay as they ran).
    const seen = patched(HOLD_CHANGE_COUNTED_FROM_READ) ? before : flags.holdChanged;
    // A release is signalled; a lost signal is made up for by the periodic re-read.
    await condition(
      () => flags.holdChanged !== seen || (flags.cancelled && mayCancel()),
      DELETION_HOLD_RECHECK_MS,
    );
    if (flags.cancelled && mayCancel()) return;
  }
}

export async function accountDeletionWorkflow(input: AccountDeletionInput): Promise<RequestProgress> {
  const tracker = trackProgress(input, DELETION_STEPS);
  const { progress, step } = tracker;
  const ids = { requestId: input.requestId, userId: input.userId };

  if ((await awaitVerification(input, tracker)) !== 'verified') return progress;

  // Held before it starts: nothing is touched, the owner may still cancel.
  step('legal_hold_check', 'running');
  await waitWhileHeld(input, tracker);
  if (!(await claim(input, tracker))) return progress;
  step('legal_hold_check', 'done');

  // D-SUBSCRIPTION: no more money taken, no more credits granted, before anything is erased.
  let subscriptions: EndedSubscription[] = [];
  if (patched(CANCEL_SUBSCRIPTIONS)) {
    step('cancel_subscriptions', 'running');
    subscriptions = await steps.cancelSubscriptions(ids);
    progress.counts.subscriptionsCancelled = subscriptions.length;
    step('cancel_subscriptions', 'done');
  } else {
    step('cancel_subscriptions', 'skipped');
  }

  step('revoke_sessions', 'running');
  const suspended = await steps.suspendAccount(ids);
  progress.counts.sessionsRevoked = suspended.revokedSessions;
  step('revoke_sessions', 'done');

  step('cancel_jobs', 'running');
  for (;;) {
    const jobs = await steps.cancelRunningJobs(input.userId);
    progress.counts.jobsCancelled = (progress.counts.jobsCancelled ?? 0) + jobs.asked;
    if (jobs.running === 0) break;
    await sleep(ASSET_PROOF_POLL_MS);
  }
  step('cancel_jobs', 'done');

  step('delete_assets', 'running');
  const requested = await longSteps.requestAssetDeletions(ids);
  progress.counts.filesRequested = requested.requested;
  for (;;) {
    const status = await steps.assetDeletionStatus(input.userId);
    progress.counts.filesRemaining = status.remaining;
    if (status.remaining === 0) break;
    if (status.unrequested > status.held) {
      // Files that appeared after the request went out: ask for them too (idempotent).
      await longSteps.requestAssetDeletions(ids);
      await sleep(ASSET_PROOF_POLL_MS);
    } else if (status.held > 0) {
      // A hold placed after the start: deferred files wait in their retention workflows.
      step('delete_assets', 'waiting');
      await waitWhileHeld(input, tracker, true);
      step('delete_assets', 'running');
    } else {
      await sleep(ASSET_PROOF_POLL_MS);
    }
  }
  step('delete_assets', 'done');

  step('erase_rows', 'running');
  await waitWhileHeld(input, tracker, true);
  const rows: ErasedRows = await steps.eraseAccountRows(ids);
  progress.counts.rowsErased = Object.entries(rows)
    .filter(([k]) => k !== 'creditsExpired')
    .reduce((sum, [, n]) => sum + n, 0);
  step('erase_rows', 'done');

  step('notify_recipients', 'running');
  const notices = await longSteps.sendErasureNotices(ids);
  progress.counts.erasureNotices = notices.sent;
  step('notify_recipients', 'done');

  step('final_notice', 'running');
  await steps.sendDeletionNotice(ids);
  step('final_notice', 'done');

  step('anonymize_profile', 'running');
  const anonymized = await steps.anonymizeProfile(ids);
  step('anonymize_profile', 'done');

  step('certificate', 'running');
  await steps.issueDeletionCertificate({
    ...ids,
    origin: input.origin,
    rows,
    emailLogRows: anonymized.emailLogRows,
    subscriptions,
  });
  step('certificate', 'done');
  progress.status = (await requestRecords.completeRequest(input.requestId)).status;
  return progress;
}
