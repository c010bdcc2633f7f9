// The Temporal client side of `diagnostic-<checkId>`: starting a run, and whether one exists.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { TASK_QUEUES, workflowIds } from '../domain/temporal.ts';
import type { diagnosticWorkflow } from '../workflows/diagnostic.ts';

export async function startDiagnostic(client: Client, checkId: string): Promise<string> {
  const workflowId = workflowIds.diagnostic(checkId);
  await client.workflow.start<typeof diagnosticWorkflow>('diagnosticWorkflow', {
    taskQueue: TASK_QUEUES.system,
    workflowId,
    args: [{ checkId }],
  });
  return workflowId;
}

/** True while Temporal knows the run (it may not have written its row yet). */
export async function diagnosticExists(client: Client, checkId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowIds.diagnostic(checkId)).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
