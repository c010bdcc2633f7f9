// A pass-through on loopback in front of one of the test stack's services (the object
// store, Temporal), which a test can take down and bring back. Down, it resets every open
// connection and every new one, as a load balancer does when nothing behind it is
// healthy. A platform given its address (S3_ENDPOINT, TEMPORAL_ADDRESS) loses that
// service; every other test keeps the stack's.
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';

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
