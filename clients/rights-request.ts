// The Temporal client side of `rights-request-<requestId>` (D-ACCESS, D-PORT, D-RECTIFY,
// D-RESTRICT, D-OBJECT, D-CONSENT): its id and start options, and the messages the API
// sends to any rights-request workflow, an account deletion included (verified,
// cancelled, deadline moved). A signal to a workflow that has ended or never started is
// dropped: the request's row already holds what it would say.
import type { Client } from '@temporalio/client';
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { isAccessRequest } from '../domain/rights-request.ts';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import type { dataAccessWorkflow } from '../workflows/rights-request-export.ts';
import {
  cancelRequestSignal,
  deadlineChangedSignal,
  verifiedSignal,
  type RequestWorkflowInput,
  type VerifiedMessage,
  type rightsRequestWorkflow,
} from '../workflows/rights-request.ts';
import { signalFor } from './signals.ts';
import { startOnce } from './start.ts';

export type { RequestWorkflowInput, VerifiedMessage } from '../workflows/rights-request.ts';

/** The workflow id of a request other than an account deletion (stored on its row). */
export const rightsRequestWorkflowId = (requestId: string) => workflowIds.rightsRequest(requestId);

/** Task queue, search attributes and reuse policy every rights-request workflow starts with. */
export function requestStartOptions(input: { userId: string; type: string }) {
  const typedSearchAttributes: SearchAttributePair[] = [
    { key: searchAttributes.userId, value: input.userId },
    { key: searchAttributes.requestType, value: input.type },
  ];
  return {
    taskQueue: TASK_QUEUES.privacy,
    typedSearchAttributes,
    // An account may be deleted again after an earlier request was cancelled or expired.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  };
}

/** Starts the data access workflow (access, portability) or the one for the other rights. */
export async function startRightsRequest(client: Client, input: RequestWorkflowInput): Promise<string> {
  const options = {
    ...requestStartOptions(input),
    workflowId: rightsRequestWorkflowId(input.requestId),
    args: [input] as [RequestWorkflowInput],
  };
  // Under the request's own id, so an earlier try of the same call may have started it.
  if (isAccessRequest(input.type)) {
    await startOnce<typeof dataAccessWorkflow>(client, 'dataAccessWorkflow', options);
  } else {
    await startOnce<typeof rightsRequestWorkflow>(client, 'rightsRequestWorkflow', options);
  }
  return options.workflowId;
}

/** D-VERIFY: the code was right and the statutory clock runs (already written on the row). */
export const verifiedSignalFor = (workflowId: string, message: VerifiedMessage) =>
  signalFor(workflowId, verifiedSignal, message);

/** The owner cancelled (already written on the row): the workflow wakes and ends. */
export const cancelledSignalFor = (workflowId: string) => signalFor(workflowId, cancelRequestSignal);

/** D-CLOCK: the legal team extended the deadline; the workflow's search attribute follows. */
export const deadlineChangedSignalFor = (workflowId: string, dueAt: Date) =>
  signalFor(workflowId, deadlineChangedSignal, { dueAt: dueAt.toISOString() });
