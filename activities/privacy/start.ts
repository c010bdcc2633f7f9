// Starting and messaging the rights-request workflows from outside a workflow (the API):
// one `dsar-<requestId>` per access or other request, one `account-deletion-<userId>` per
// account at a time; signals to a workflow that has ended or never started are dropped,
// because the database already holds what they would say.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy, type SearchAttributePair } from '@temporalio/common';
import { isAccessRequest } from '../../domain/privacy.ts';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../../domain/temporal.ts';
import type { AccountDeletionInput, accountDeletionWorkflow } from '../../workflows/accountDeletion.ts';
import type { AnnouncementInput, announcementWorkflow } from '../../workflows/announcement.ts';
import type { dataAccessWorkflow } from '../../workflows/dsar.ts';
import type { RequestWorkflowInput } from '../../workflows/privacyRequest.ts';
import type { rightsRequestWorkflow } from '../../workflows/rightsRequest.ts';

export function requestWorkflowId(request: { id: string; type: string; userId: string }): string {
  return request.type === 'deletion'
    ? workflowIds.accountDeletion(request.userId)
    : workflowIds.dsar(request.id);
}

/** Starts the request's workflow; false when one with its id is already running. */
export async function startRequestWorkflow(
  client: Client,
  input: RequestWorkflowInput | AccountDeletionInput,
): Promise<boolean> {
  const typedSearchAttributes: SearchAttributePair[] = [
    { key: searchAttributes.userId, value: input.userId },
    { key: searchAttributes.requestType, value: input.type },
  ];
  const common = {
    taskQueue: TASK_QUEUES.privacy,
    typedSearchAttributes,
    // An account may be deleted again after an earlier request was cancelled or expired.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  };
  try {
    if (input.type === 'deletion') {
      await client.workflow.start<typeof accountDeletionWorkflow>('accountDeletionWorkflow', {
        ...common,
        workflowId: workflowIds.accountDeletion(input.userId),
        args: [input as AccountDeletionInput],
      });
    } else if (isAccessRequest(input.type)) {
      await client.workflow.start<typeof dataAccessWorkflow>('dataAccessWorkflow', {
        ...common,
        workflowId: workflowIds.dsar(input.requestId),
        args: [input],
      });
    } else {
      await client.workflow.start<typeof rightsRequestWorkflow>('rightsRequestWorkflow', {
        ...common,
        workflowId: workflowIds.dsar(input.requestId),
        args: [input],
      });
    }
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Sends a signal to a request's workflow; false when it is not running. */
export async function signalRequestWorkflow(
  client: Client,
  workflowId: string,
  signal: Parameters<ReturnType<Client['workflow']['getHandle']>['signal']>[0],
  ...args: unknown[]
): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).signal(signal as never, ...(args as []));
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export const announcementWorkflowId = (id: string) => `announcement-${id}`;

export async function startAnnouncement(
  client: Client,
  id: string,
  input: AnnouncementInput,
): Promise<string> {
  const workflowId = announcementWorkflowId(id);
  try {
    await client.workflow.start<typeof announcementWorkflow>('announcementWorkflow', {
      taskQueue: TASK_QUEUES.privacy,
      workflowId,
      args: [input],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
