// The bare baseline for bench/orchestration.ts: a workflow with the same shape as a
// generation job whose provider answers at once (workflows/generation.ts), event for
// event in its history, but whose steps do nothing: the start (a local activity), the
// submission (an activity; the provider's webhook arrives as a signal meanwhile), one
// poll, the output's storage (activities), the finish (a local activity) and one
// search-attribute upsert at the end. The same timeouts and retry policies.
import {
  defineSignal,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { searchAttributes } from '../../domain/temporal.ts';
import { MINUTE, SECOND } from '../../domain/time.ts';
import type { BaselineActivities } from './baseline-activities.ts';

/** The provider's webhook, as the platform receives it: a hint, counted. */
export const baselineHintSignal = defineSignal<[{ taskId: string }]>('providerUpdate');

const retry = { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: MINUTE };
const records = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: 30 * SECOND, retry });
const providers = proxyActivities<BaselineActivities>({
  startToCloseTimeout: 45 * SECOND,
  retry: { ...retry, initialInterval: 2 * SECOND, maximumAttempts: 8 },
});
const copying = proxyActivities<BaselineActivities>({
  startToCloseTimeout: 30 * MINUTE,
  heartbeatTimeout: MINUTE,
  retry: { initialInterval: 2 * SECOND, backoffCoefficient: 2, maximumAttempts: 5 },
});

export async function baselineJobWorkflow(input: {
  jobId: string;
}): Promise<{ status: string; hints: number }> {
  let hints = 0;
  setHandler(baselineHintSignal, () => {
    hints++;
  });
  await records.startJob(input.jobId);
  await providers.submitToProvider(input.jobId);
  await providers.pollProviderTask(input.jobId);
  await copying.storeOutput(input.jobId);
  await records.finishJob(input.jobId);
  upsertSearchAttributes([{ key: searchAttributes.jobStatus, value: 'succeeded' }]);
  return { status: 'succeeded', hints };
}
