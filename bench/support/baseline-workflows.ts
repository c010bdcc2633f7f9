// The baseline for bench/orchestration.ts: a bare workflow that makes the same number of
// activity calls as a generation job, each doing nothing.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './baseline-activities.ts';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '30 seconds' });

export async function baselineWorkflow(calls: number): Promise<number> {
  for (let i = 0; i < calls; i++) await noop(i);
  return calls;
}
