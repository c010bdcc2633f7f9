// The data access workflow (`rights-request-<requestId>`, task queue `privacy`; D-ACCESS, D-PORT):
// waits for verification (with expiry), then writes every category of the person's
// data (JSON and CSV, a readable summary, and for portability the videos still stored)
// as one ZIP archive in object storage, stored as an asset of kind `export` with its own
// short retention, and emails the owner. The archive activity heartbeats; a worker that
// dies mid-way is replaced and the archive is written again, under the same key.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { RightsRequestActivities } from '../activities/rights-request/index.ts';
import { EXPORT_HEARTBEAT_TIMEOUT_MS, EXPORT_STEPS } from '../domain/rights-request.ts';
import { HOUR, MINUTE, SECOND } from '../domain/time.ts';
import {
  awaitVerification,
  claim,
  requestRecords,
  trackProgress,
  type RequestProgress,
  type RequestWorkflowInput,
} from './rights-request.ts';

// The archive: long, heartbeating; retried (from the start) until it is written.
const archiving = proxyActivities<RightsRequestActivities>({
  startToCloseTimeout: 6 * HOUR,
  heartbeatTimeout: EXPORT_HEARTBEAT_TIMEOUT_MS,
  retry: {
    initialInterval: 2 * SECOND,
    backoffCoefficient: 2,
    maximumInterval: 5 * MINUTE,
    nonRetryableErrorTypes: ['RequestNotFound', 'ExportGone'],
  },
});

export async function dataAccessWorkflow(input: RequestWorkflowInput): Promise<RequestProgress> {
  const tracker = trackProgress(input, EXPORT_STEPS);
  const { progress, step } = tracker;
  if ((await awaitVerification(input, tracker)) !== 'verified') return progress;
  if (!(await claim(input, tracker))) return progress;

  step('collect', 'done');
  step('archive', 'running');
  let archive;
  try {
    archive = await archiving.buildExportArchive({
      requestId: input.requestId,
      userId: input.userId,
      type: input.type === 'portability' ? 'portability' : 'access',
    });
  } catch (err) {
    // The account was deleted while its export was written: there is nobody to answer.
    if (
      !(err instanceof ActivityFailure) ||
      !(err.cause instanceof ApplicationFailure) ||
      err.cause.type !== 'ExportGone'
    ) {
      throw err;
    }
    step('archive', 'skipped');
    progress.status = (
      await requestRecords.rejectRequest({ requestId: input.requestId, reason: 'export_gone' })
    ).status;
    return progress;
  }
  progress.counts = { sizeBytes: archive.sizeBytes, entries: archive.entries, videos: archive.videos };
  step('archive', 'done');

  // Its own retention timer (RETENTION_POLICY.export): the link works until it fires.
  step('link', 'running');
  await requestRecords.publishExport({ requestId: input.requestId });
  step('link', 'done');

  step('notify', 'running');
  await requestRecords.sendExportReady({ requestId: input.requestId, deleteAt: archive.deleteAt });
  step('notify', 'done');
  progress.status = (await requestRecords.completeRequest(input.requestId)).status;
  return progress;
}
