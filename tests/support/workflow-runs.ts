// A workflow id's runs, as the visibility store lists them (how a test shows that work
// ran once, or never). The store is written after a run's own history, so read at once
// it may lag behind: these wait until it lists the latest run as that run is.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { eventually } from './assets.ts';

/** The statuses of the id's runs, once the listing shows its latest run as it is. */
export async function listedRuns(client: Client, workflowId: string): Promise<string[]> {
  const latest = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err) => {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    });
  const query = `WorkflowId = '${workflowId}'`;
  return eventually(
    async () => {
      const runs: { runId: string; status: string }[] = [];
      for await (const run of client.workflow.list({ query }))
        runs.push({ runId: run.runId, status: run.status.name });
      const listed = latest
        ? runs.some((r) => r.runId === latest.runId && r.status === latest.status.name)
        : runs.length === 0;
      return listed ? runs.map((r) => r.status) : null;
    },
    30_000,
    `the runs of ${workflowId} listed`,
  );
}

/**
 * The same once the latest run has ended: a row says the work is done from the
 * workflow's last activity, a moment before the workflow itself ends.
 */
export async function endedRuns(client: Client, workflowId: string): Promise<string[]> {
  await client.workflow
    .getHandle(workflowId)
    .result()
    .catch(() => undefined);
  return listedRuns(client, workflowId);
}
