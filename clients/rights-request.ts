// The Temporal client side of `rights-request-<requestId>` (D-ACCESS, D-PORT, D-RECTIFY,
// D-RESTRICT, D-OBJECT, D-CONSENT): its id and start options, and the messages the API
// sends to any rights-request workflow, an account deletion included (verified,
// cancelled, deadline moved). A signal to a workflow that has ended or never started is
// dropped: the request's row already holds what it would say.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
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

async function signal(
  client: Client,
  workflowId: string,
  send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
) {
  try {
    await send(client.workflow.getHandle(workflowId));
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** D-VERIFY: the code was right and the statutory clock runs (already written on the row). */
export const signalVerified = (client: Client, workflowId: string, message: VerifiedMessage) =>
  signal(client, workflowId, (h) => h.signal(verifiedSignal, message));

/** The owner cancelled (already written on the row): the workflow wakes and ends. */
export const signalCancelled = (client: Client, workflowId: string) =>
  signal(client, workflowId, (h) => h.signal(cancelRequestSignal));

/** D-CLOCK: the legal team extended the deadline; the workflow's search attribute follows. */
export const signalDeadlineChanged = (client: Client, workflowId: string, dueAt: Date) =>
  signal(client, workflowId, (h) => h.signal(deadlineChangedSignal, { dueAt: dueAt.toISOString() }));
