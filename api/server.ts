// Starts the HTTP server and stops it gracefully: no new connections, in-flight
// requests finish (up to a deadline), then the clients close.
import { createServer, type Server } from 'node:http';
import type { Clients } from '../platform/clients.ts';
import { createApp } from './app.ts';

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApi(
  deps: Clients,
  options: { port?: number; host?: string } = {},
): Promise<RunningApi> {
  const app = createApp(deps);
  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  const host = options.host ?? deps.config.api.host;
  const port = options.port ?? deps.config.api.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return {
    server,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        const deadline = setTimeout(() => server.closeAllConnections(), 10_000);
        server.close(() => {
          clearTimeout(deadline);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
