// A creator's file and its retention workflow, with Temporal answering or not: an upload's
// workflow started, a person's deletion told to it. While Temporal does not answer, each
// is given a few seconds, then recorded in `unstarted_retentions` for the unstarted sweep
// (activities/sweeps/unstarted-retentions.ts), and the person answered as it was made.
import { requestRetentionDeletion, startRetention, type RetainedAsset } from '../clients/retention.ts';
import { RETENTION_START_DEADLINE_MS } from '../domain/retention.ts';
import { SIGNAL_DEADLINE_MS } from '../domain/temporal.ts';
import { recordUnstartedRetention } from '../stores/retention.ts';
import type { DeleteNowRequest } from '../workflows/retention.ts';
import type { UseCaseDeps } from './deps.ts';
import { callOrRecord } from './unanswered.ts';

/**
 * Starts an upload's retention workflow, given RETENTION_START_DEADLINE_MS. When Temporal
 * does not answer, the file is kept and recorded as unstarted: the unstarted sweep starts
 * its workflow once Temporal answers (activities/sweeps/unstarted-retentions.ts), and the
 * overdue sweep would delete it past its delete-at should that never happen. Before, the
 * upload answered 503 after about 20 s and kept nothing. Any other failure to start still
 * keeps nothing.
 */
export async function startUploadRetention(deps: UseCaseDeps, asset: RetainedAsset): Promise<void> {
  await callOrRecord(deps, {
    deadlineMs: RETENTION_START_DEADLINE_MS,
    call: () => startRetention(deps.temporal.client, asset),
    record: (em, namespace) => recordUnstartedRetention(em, asset.id, namespace),
    warning: {
      message: 'upload kept, its retention workflow not started: the sweep starts it',
      context: { assetId: asset.id },
    },
  });
}

/**
 * A person's deletion told to the file's retention workflow (started with it, should it
 * not be running), given SIGNAL_DEADLINE_MS. While Temporal does not answer, the file is
 * already deleted, or marked for deletion at the hold's release: the request is recorded
 * with the asset's unstarted retention, sent by the unstarted sweep once Temporal answers
 * (a plain signal would not wake a workflow still waiting for its start delay), and the
 * person answered as it was made. Before, a 503 after about 20 s for a file already
 * deleted, and under a hold a request forgotten: the file was kept past the release,
 * until its delete-at.
 */
export async function tellRetention(
  deps: UseCaseDeps,
  asset: RetainedAsset,
  request: DeleteNowRequest,
): Promise<void> {
  await callOrRecord(deps, {
    deadlineMs: SIGNAL_DEADLINE_MS,
    call: () => requestRetentionDeletion(deps.temporal.client, asset, request),
    record: (em, namespace) => recordUnstartedRetention(em, asset.id, namespace, request),
    warning: {
      message: 'deletion made, its retention workflow not told: the unstarted sweep tells it',
      context: { assetId: asset.id },
    },
  });
}
