// Starting a workflow whose id is its subject's: a retried call (a request sent again, an
// activity run again) finds it started already, and that is the outcome it wanted.
import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type Workflow,
  type WorkflowStartOptions,
} from '@temporalio/client';

/** Starts the workflow; one already started under the same id is left as it is. */
export async function startOnce<T extends Workflow>(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions<T>,
): Promise<void> {
  try {
    await client.workflow.start<T>(workflowType, options);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
