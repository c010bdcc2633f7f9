// A pass-through on loopback in front of the test stack's object store, which a test can
// take down and bring back. Down, it resets every open connection and every new one, as a
// load balancer does when no store behind it is healthy. A platform given its endpoint as
// S3_ENDPOINT loses its store; every other test keeps the stack's.
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';

export interface StoreOutage {
  /** The store's endpoint through the pass-through. */
  endpoint: string;
  /** Resets the open connections and every new one until `up`. */
  down(): void;
  up(): void;
  /** How many connections were reset while down. */
  readonly reset: number;
  close(): Promise<void>;
}

export async function startStoreOutage(storeEndpoint: string): Promise<StoreOutage> {
  const target = new URL(storeEndpoint);
  const open = new Set<Socket>();
  let isDown = false;
  let reset = 0;
  const cut = (socket: Socket) => {
    reset++;
    socket.resetAndDestroy();
  };
  const server = net.createServer((client) => {
    if (isDown) return cut(client);
    const store = net.connect(Number(target.port), target.hostname);
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => store.destroy());
    store.on('error', () => client.destroy());
    client.pipe(store).pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
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
