// The test support itself (tests/support/workflow-env.ts): what a test did not stub fails
// fast and by name, and calls carry the server time they were made at.
import { WorkflowFailedError } from '@temporalio/client';
import { expect, it } from 'vitest';
import { analyticsSweepWorkflow } from '../../workflows/sweeps.ts';
import { withWorkflowEnv } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();

it('an activity the test did not stub fails the workflow at once, naming the activity', async () => {
  const run = await wf.start(analyticsSweepWorkflow, { args: [] });
  const failure = await run.result().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  // The workflow's failure is the activity's, whose cause names it.
  expect(failure).toMatchObject({
    cause: { cause: { message: 'activity aggregateOldAnalytics is not stubbed in this test' } },
  });
  // Not retried, although the sweep's policy allows five attempts.
  expect(run.order()).toEqual(['aggregateOldAnalytics']);
});

it('each call records the server time it was scheduled at', async () => {
  const before = await wf.now();
  const run = await wf.start(analyticsSweepWorkflow, {
    args: [],
    activities: {
      aggregateOldAnalytics: async () => ({ aggregated: 0, cutoff: new Date(before).toISOString() }),
    },
  });
  await run.result();
  expect(run.calls[0]?.at).toBeGreaterThanOrEqual(before);
});
