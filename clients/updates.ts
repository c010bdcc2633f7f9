// Updates the API sends and waits on in two steps: first until the workflow took the
// update (its validator ran, on a workflow task), within the caller's deadline; then,
// taken, for the handler's answer, however long the work it waits on takes.
import {
  WorkflowNotFoundError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';

/**
 * Sends `update`, answered once the workflow took it: the handle's result is the
 * handler's answer (a WorkflowUpdateFailedError when the validator refused it). Null
 * when no such workflow runs.
 */
export async function startUpdateIfRunning<Ret, Args extends [unknown, ...unknown[]]>(
  client: Client,
  workflowId: string,
  update: UpdateDefinition<Ret, Args>,
  ...args: Args
): Promise<WorkflowUpdateHandle<Ret> | null> {
  try {
    return await client.workflow
      .getHandle(workflowId)
      .startUpdate(update, { args, waitForStage: WorkflowUpdateStage.ACCEPTED });
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}
