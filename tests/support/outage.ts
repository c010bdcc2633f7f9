// A pass-through on loopback in front of one of the test stack's services (the object
// store, Temporal), which a test can take down and bring back. Down, it resets every open
// connection and every new one, as a load balancer does when nothing behind it is
// healthy. A platform given its address (S3_ENDPOINT, TEMPORAL_ADDRESS) loses that
// service; every other test keeps the stack's. With it, what tests of a Temporal outage
// share: waiting for a client to reach Temporal again, and keeping the unstarted sweep's
// Schedule from running while a test runs the sweep itself.
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Client } from '@temporalio/client';
import { GENERATION_SCHEDULE_IDS } from '../../domain/generation.ts';
import { checkTemporal, type TemporalClients } from '../../platform/temporal.ts';
import { eventually } from './assets.ts';
import { pauseSchedule } from './schedules.ts';

export interface Outage {
  /** The service's address through the pass-through, written as the one given was. */
  address: string;
  /** Resets the open connections and every new one until `up`. */
  down(): void;
  up(): void;
  /** How many connections were reset while down. */
  readonly reset: number;
  close(): Promise<void>;
}

/** `service`: an endpoint URL (`http://127.0.0.1:9000`) or a `host:port`. */
export async function startOutage(service: string): Promise<Outage> {
  const isUrl = /^[a-z]+:\/\//.test(service);
  const target = new URL(isUrl ? service : `tcp://${service}`);
  const open = new Set<Socket>();
  let isDown = false;
  let reset = 0;
  const cut = (socket: Socket) => {
    reset++;
    socket.resetAndDestroy();
  };
  const server = net.createServer((client) => {
    if (isDown) return cut(client);
    const behind = net.connect(Number(target.port), target.hostname);
    open.add(client);
    // Either side closing closes the other: the service must not go on answering a
    // connection nobody reads (a long poll handing a task to a client long gone).
    client.on('close', () => {
      open.delete(client);
      behind.destroy();
    });
    client.on('error', () => behind.destroy());
    behind.on('close', () => client.destroy());
    behind.on('error', () => client.destroy());
    client.pipe(behind).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    address: isUrl ? `${target.protocol}//127.0.0.1:${port}` : `127.0.0.1:${port}`,
    down() {
      isDown = true;
      for (const socket of open) cut(socket);
      open.clear();
    },
    up() {
      isDown = false;
    },
    get reset() {
      return reset;
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Resolves once Temporal answers `temporal` again: after an outage its connection waits up
 * to TEMPORAL_RECONNECT_BACKOFF_MS before trying again.
 */
export const temporalAnswering = (temporal: TemporalClients) =>
  eventually(
    () =>
      checkTemporal(temporal, 2_000).then(
        () => true,
        () => false,
      ),
    30_000,
    'Temporal answering again',
  );

/**
 * Pauses the unstarted sweep's Schedule in `client`'s namespace, for tests that run the
 * sweep themselves and count what each run did.
 */
export const pauseUnstartedSweep = (client: Client): Promise<void> =>
  pauseSchedule(client, GENERATION_SCHEDULE_IDS.unstartedJobSweep);
