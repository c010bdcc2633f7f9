// Activities reach the worker in the answer to the workflow task that scheduled them
// (eager dispatch), not through their task queue and its dispatch tick: on the dev server
// as the stack starts it (scripts/stack/services.ts). The server counts each such
// hand-over in its metrics, by namespace, and this file's namespace is its own. The
// production engine's is in engine.test.ts.
import { describe, expect, inject, it } from 'vitest';
import { RELAY_ACTIVITIES, relayEagerHandOvers } from '../support/relay.ts';
import { useWorkerTestbed } from '../support/worker-testbed.ts';

describe('activities dispatched eagerly', () => {
  const bed = useWorkerTestbed();

  it('hands each activity to the worker whose workflow task scheduled it', async () => {
    const { answer, handedOver } = await relayEagerHandOvers(bed(), inject('temporalMetricsUrl'));
    expect(answer).toBe('baton>>');
    expect(handedOver).toBe(RELAY_ACTIVITIES);
  });
});
