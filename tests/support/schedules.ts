// Schedules held still for tests that run a periodic workflow themselves and count what
// each run did: a run of its Schedule in between would take their work first, by chance.
import type { Client } from '@temporalio/client';
import { eventually } from './assets.ts';

/**
 * Pauses one Schedule in `client`'s namespace, tried again until it answers: the worker
 * creates its Schedules as it starts, which may be after the test's platform is up.
 */
export async function pauseSchedule(client: Client, scheduleId: string): Promise<void> {
  const schedule = client.schedule.getHandle(scheduleId);
  await eventually(
    () =>
      schedule.pause('the tests run its workflow themselves').then(
        () => true,
        () => false,
      ),
    30_000,
    `the schedule ${scheduleId} paused`,
  );
}
