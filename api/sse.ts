// Server-sent events: the stream's headers, named events, a comment every little while
// so proxies keep the connection, and an end when the producer is done or the browser
// leaves. The producer gets a signal that aborts when the browser goes away.
import type { Request, Response } from 'express';
import { SECOND } from '../domain/time.ts';

const KEEPALIVE_MS = 15 * SECOND;

export type SendEvent = (event: string, data: unknown) => void;

export async function serverSentEvents(
  req: Request,
  res: Response,
  produce: (send: SendEvent, signal: AbortSignal) => Promise<void>,
): Promise<undefined> {
  const gone = new AbortController();
  req.on('close', () => gone.abort());
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
  };
  const keepalive = setInterval(() => {
    if (started) res.write(': keep-alive\n\n');
  }, KEEPALIVE_MS);
  try {
    // The first event opens the stream, so a refusal before it is still a JSON error.
    await produce((event, data) => {
      start();
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    }, gone.signal);
    start();
    res.end();
  } finally {
    clearInterval(keepalive);
  }
  return undefined;
}
