// The API's request lines skip the logger's redaction (it was a tenth of a status read's
// CPU), so they must hold nothing that would need it: only id, method, path without its
// query, status and time, whatever the request carried.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandler } from '../../api/errors.ts';
import { requestLog } from '../../api/request-log.ts';
import { createLogger } from '../../platform/logger.ts';

const SECRETS = ['hunter2-password', 'person@example.com', 'tok_abc', 'sekrit-session', 'Bearer sekrit'];

let close: (() => void) | undefined;
afterEach(() => close?.());

async function serve() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'info', name: 'api', destination });
  const app = express();
  app.use(requestLog(logger));
  app.use(express.json());
  app.post('/api/auth/sign-in', (_req, res) => {
    res.status(401).json({ error: { code: 'invalid_credentials', message: 'No.' } });
  });
  app.get('/api/broken', () => {
    throw Object.assign(new Error('the database refused'), { user: { email: 'person@example.com' } });
  });
  app.use(errorHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  close = () => server.close();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { url, lines, entries };
}

const secretHeaders = {
  cookie: 'cw_session=sekrit-session',
  authorization: 'Bearer sekrit',
  'user-agent': 'person@example.com',
};

describe('request log', () => {
  it('keeps id, method, path, status and time only: no query, headers, cookies or body', async () => {
    const { url, lines, entries } = await serve();
    const res = await fetch(`${url}/api/auth/sign-in?token=tok_abc`, {
      method: 'POST',
      headers: { ...secretHeaders, 'content-type': 'application/json', 'x-request-id': 'trace-abc-12345' },
      body: JSON.stringify({ email: 'person@example.com', password: 'hunter2-password' }),
    });
    expect(res.status).toBe(401);
    await expect.poll(() => lines.length).toBe(1);
    const [line] = entries();
    expect(line).toMatchObject({
      level: 'warn',
      process: 'api',
      req: { id: 'trace-abc-12345', method: 'POST', path: '/api/auth/sign-in' },
      res: { status: 401 },
    });
    expect(Object.keys(line!.req as object).sort()).toEqual(['id', 'method', 'path']);
    expect(Object.keys(line!.res as object)).toEqual(['status']);
    for (const secret of SECRETS) expect(lines.join('')).not.toContain(secret);
  });

  it('logs an unexpected error through the redacting logger, and the request line names only its status', async () => {
    const { url, lines, entries } = await serve();
    const res = await fetch(`${url}/api/broken?token=tok_abc`, { headers: secretHeaders });
    expect(res.status).toBe(500);
    await expect.poll(() => lines.length).toBe(2);
    const [error, request] = entries();
    expect(error).toMatchObject({ msg: 'unhandled error', err: { message: 'the database refused' } });
    expect(request).toMatchObject({ level: 'error', req: { path: '/api/broken' }, res: { status: 500 } });
    for (const secret of SECRETS) expect(lines.join('')).not.toContain(secret);
  });
});
