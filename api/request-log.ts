// One line per request for operators: its id (taken from X-Request-Id when well formed,
// and sent back), method, path without its query, status and time. Nothing else about
// the request reaches the log: no headers, cookies, bodies, query strings or addresses.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { pathOnly, unredacted, type Logger } from '../platform/logger.ts';
import { METRICS_PATH } from './metrics.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

export function requestLog(logger: Logger): RequestHandler {
  return pinoHttp({
    // Its lines hold only what the serializers below pick, so the logger's redaction
    // (most of the cost of a line) has nothing to do here; the error handler logs an
    // unexpected error, whole, through the redacting logger.
    logger: unredacted(logger),
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        path: pathOnly(req.url),
      }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      err: (err: { name?: string }) => ({ type: err.name ?? 'Error' }),
    },
    customLogLevel: (_req, res, err) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req) => ['/healthz', '/readyz', METRICS_PATH].includes(req.url ?? '') },
  });
}
