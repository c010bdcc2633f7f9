// The relay workflow (tests/fixtures/workflows/relay.ts) on a worker of its own task
// queue, and how many of its activities the server handed over eagerly, from its metrics.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { vi } from 'vitest';
import type { RelayActivities } from '../fixtures/workflows/relay.ts';
import { namespaceCounter } from './temporal-metrics.ts';

const WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows/relay.ts', import.meta.url));
/** The workflow's activities: one, then another. */
export const RELAY_ACTIVITIES = 2;

/**
 * Runs the relay once and answers how many more eager hand-overs the server counted in the
 * namespace afterwards, once that count has reached at least the relay's activities (the
 * server's reporter writes its counters to the endpoint once a second) or 10 s have passed.
 */
export async function relayEagerHandOvers(
  temporal: { native: NativeConnection; client: Client; namespace: string },
  metricsUrl: string,
): Promise<{ answer: string; handedOver: number }> {
  const eagerly = () => namespaceCounter(metricsUrl, 'activity_eager_execution', temporal.namespace);
  const before = await eagerly();
  const taskQueue = `relay-${randomUUID()}`;
  const activities: RelayActivities = { pass: async (baton) => `${baton}>` };
  const worker = await Worker.create({
    connection: temporal.native,
    namespace: temporal.namespace,
    taskQueue,
    workflowsPath: WORKFLOWS,
    activities,
  });
  const answer = await worker.runUntil(
    temporal.client.workflow.execute('relayWorkflow', {
      taskQueue,
      workflowId: `relay-${randomUUID()}`,
      args: ['baton'],
    }),
  );
  const handedOver = await vi
    .waitFor(
      async () => {
        const count = (await eagerly()) - before;
        if (count < RELAY_ACTIVITIES) throw new Error(`${count} handed over eagerly so far`);
        return count;
      },
      { timeout: 10_000, interval: 100 },
    )
    .catch(async () => (await eagerly()) - before);
  return { answer, handedOver };
}
