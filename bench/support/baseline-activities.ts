// The baseline's activities: each does nothing, except what makes the history the same
// shape as a platform job's: the submission sends the workflow its webhook signal (as the
// provider simulator does in instant mode), and the storage heartbeats once (as the output
// copy does).
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';

export function createBaselineActivities(client: Client) {
  return {
    async startJob(jobId: string): Promise<string> {
      return jobId;
    },
    async submitToProvider(jobId: string): Promise<{ taskId: string }> {
      const { workflowId } = Context.current().info.workflowExecution!;
      await client.workflow.getHandle(workflowId).signal('providerUpdate', { taskId: jobId });
      return { taskId: jobId };
    },
    async pollProviderTask(jobId: string): Promise<{ status: string; taskId: string }> {
      return { status: 'succeeded', taskId: jobId };
    },
    async storeOutput(jobId: string): Promise<{ id: string }> {
      Context.current().heartbeat({ bytes: 0 });
      return { id: jobId };
    },
    async finishJob(jobId: string): Promise<{ creditsCharged: number }> {
      return { creditsCharged: jobId.length };
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
