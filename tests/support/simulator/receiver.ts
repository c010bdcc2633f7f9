// A webhook endpoint for tests: records every POST the simulator (or a provider) sends.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  path: string;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  /** The body's bytes as they arrived, for signature checks. */
  rawBody: Buffer;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves with the first delivery (past or future) to a path containing `pathPart`. */
  waitFor(pathPart: string, timeoutMs?: number): Promise<ReceivedWebhook>;
  stop(): Promise<void>;
}

const DEFAULT_WAIT_MS = 5000;

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters: { pathPart: string; resolve: (w: ReceivedWebhook) => void }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const text = rawBody.toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: kept as text so a test can see what arrived.
    }
    const delivery = { path: req.url ?? '/', body, headers: req.headers, rawBody };
    received.push(delivery);
    for (const waiter of waiters.filter((w) => delivery.path.includes(w.pathPart))) waiter.resolve(delivery);
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    waitFor(pathPart, timeoutMs = DEFAULT_WAIT_MS) {
      const done = received.find((w) => w.path.includes(pathPart));
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no webhook to ${pathPart} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          pathPart,
          resolve: (w) => {
            clearTimeout(timer);
            resolve(w);
          },
        });
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
