// Signals as data: what tells a workflow of a change the API made, sent at once or, while
// Temporal does not answer, recorded and sent later by the unstarted sweep
// (use-cases/signals.ts, activities/sweeps/untold-signals.ts).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { SIGNAL_CONCURRENCY } from '../domain/temporal.ts';

export interface WorkflowSignal {
  workflowId: string;
  /** The signal's name, as its workflow defines it. */
  signal: string;
  args: unknown[];
}

/** A signal for `workflowId`, typed by its definition beside its workflow. */
export function signalFor<Args extends unknown[]>(
  workflowId: string,
  definition: SignalDefinition<Args>,
  ...args: Args
): WorkflowSignal {
  return { workflowId, signal: definition.name, args };
}

/** Sends it; false when its workflow is not running (it ended, or never started). */
export async function sendSignal(
  client: Client,
  { workflowId, signal, args }: WorkflowSignal,
): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).signal(signal, ...args);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Sends them, SIGNAL_CONCURRENCY at once, each workflow's in the order given. `sent[i]`
 * is set once signal i was taken (or its workflow found not running), so a caller cut off
 * by an outage knows which remain. Returns how many workflows heard theirs.
 */
export async function sendSignals(
  client: Client,
  signals: readonly WorkflowSignal[],
  sent: boolean[] = [],
): Promise<number> {
  const byWorkflow = new Map<string, number[]>();
  signals.forEach((s, i) => byWorkflow.set(s.workflowId, [...(byWorkflow.get(s.workflowId) ?? []), i]));
  const queues = [...byWorkflow.values()];
  let heard = 0;
  const worker = async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (const i of queue) {
        if (await sendSignal(client, signals[i]!)) heard++;
        sent[i] = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SIGNAL_CONCURRENCY, queues.length) }, worker));
  return heard;
}
