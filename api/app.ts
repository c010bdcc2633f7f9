// The Express application: request ids and logs, security headers, body limits, every
// domain's routes, the OpenAPI document, and JSON errors.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Clients } from '../platform/clients.ts';
import { pathOnly } from '../platform/logger.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { mountRoutes, type AccessGuard, type AnyRoute } from './route.ts';
import { healthRoutes } from './routes/health.ts';
import { opsRoutes } from './routes/ops.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Every route of the API, in one list: the router, the OpenAPI document and the access walk use it. */
export function allRoutes(deps: Clients): AnyRoute[] {
  return [...healthRoutes(deps), ...opsRoutes(deps)];
}

const publicOnly: AccessGuard = (access) => {
  if (access !== 'public') throw new Error(`no access guard is registered for ${String(access)}`);
  return undefined;
};

export function createApp(deps: Clients, options: { guard?: AccessGuard } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Method, path without query, status and time only: no headers, cookies, bodies or IPs.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: pathOnly(req.url),
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(helmet());
  app.use(express.json({ limit: deps.config.api.bodyLimit }));

  const routes = allRoutes(deps);
  const router = express.Router();
  mountRoutes(router, routes, options.guard ?? publicOnly);
  app.use(router);
  const document = buildOpenApiDocument(routes);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
