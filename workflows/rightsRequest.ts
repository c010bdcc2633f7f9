// The other rights requests (`dsar-<requestId>`, task queue `privacy`): rectification,
// restriction (D-RESTRICT), objection (D-OBJECT) and consent withdrawal (D-CONSENT).
// Verified first (D-VERIFY), then applied and reported to the owner.
import { RIGHTS_STEPS } from '../domain/privacy.ts';
import {
  awaitVerification,
  claim,
  requestRecords,
  trackProgress,
  type RequestProgress,
  type RequestWorkflowInput,
} from './privacyRequest.ts';

export async function rightsRequestWorkflow(input: RequestWorkflowInput): Promise<RequestProgress> {
  const tracker = trackProgress(input, RIGHTS_STEPS);
  const { progress, step } = tracker;
  if ((await awaitVerification(input, tracker)) !== 'verified') return progress;
  if (!(await claim(input, tracker))) return progress;
  step('apply', 'running');
  const { applied } = await requestRecords.applyRightsRequest(input.requestId);
  progress.counts = { changes: applied.length };
  step('apply', 'done');
  step('notify', 'running');
  await requestRecords.sendRequestCompleted(input.requestId);
  step('notify', 'done');
  progress.status = (await requestRecords.completeRequest(input.requestId)).status;
  return progress;
}
