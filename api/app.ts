// The Express application: request ids and logs, security headers, body limits, every
// domain's routes, the OpenAPI document, and JSON errors.
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Clients } from '../platform/clients.ts';
import { errorHandler, notFoundHandler } from './errors.ts';
import { METRICS_PATH, createApiMetrics } from './metrics.ts';
import { requestLog } from './request-log.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { accessMiddleware } from './auth/access.ts';
import { createCsrf } from './auth/csrf.ts';
import { policyGate } from './auth/policyGate.ts';
import { createRateLimiters } from './auth/rateLimit.ts';
import { SessionCache } from './auth/session-cache.ts';
import { sessionMiddleware, visitorMiddleware } from './auth/sessions.ts';
import type { ApiDeps } from './deps.ts';
import { mountRoutes, type AnyRoute, type RouteMiddleware } from './route.ts';
import { accountsRoutes } from './routes/accounts.ts';
import { accountsGoogleRoutes } from './routes/accounts-google.ts';
import { accountsStaffRoutes } from './routes/accounts-staff.ts';
import { billingRoutes } from './routes/billing.ts';
import { subscriptionRoutes } from './routes/subscription.ts';
import { supportRoutes } from './routes/support.ts';
import { retentionRoutes } from './routes/retention.ts';
import { consentRoutes } from './routes/consent.ts';
import { generationRoutes } from './routes/generation.ts';
import { scriptRoutes } from './routes/script.ts';
import { moderationRoutes } from './routes/moderation.ts';
import { takedownRoutes } from './routes/takedown.ts';
import { incidentRoutes } from './routes/incident.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { healthRoutes } from './routes/health.ts';
import { legalHoldRoutes } from './routes/legal-hold.ts';
import { rightsRequestRoutes } from './routes/rights-request.ts';
import { rightsRequestLegalRoutes } from './routes/rights-request-legal.ts';
import { accountDeletionRoutes } from './routes/account-deletion.ts';
import { policyRoutes } from './routes/policy.ts';
import { announcementRoutes } from './routes/announcement.ts';
import { diagnosticRoutes } from './routes/diagnostic.ts';

/** Every route of the API, in one list: the router, the OpenAPI document and the access walk use it. */
export function allRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    ...healthRoutes(deps),
    ...accountsRoutes,
    ...accountsGoogleRoutes,
    ...accountsStaffRoutes,
    ...diagnosticRoutes,
    ...retentionRoutes,
    ...legalHoldRoutes,
    ...generationRoutes,
    ...scriptRoutes,
    ...billingRoutes,
    ...subscriptionRoutes,
    ...supportRoutes,
    ...moderationRoutes,
    ...takedownRoutes,
    ...incidentRoutes,
    ...webhookRoutes,
    ...consentRoutes,
    ...rightsRequestRoutes,
    ...rightsRequestLegalRoutes,
    ...accountDeletionRoutes,
    ...policyRoutes,
    ...announcementRoutes,
  ];
}

const SAFE_METHODS = new Set(['get', 'head', 'options']);

/** The caller's session, access check, then CSRF for state-changing routes, then the route's rate limit. */
function routeMiddleware(deps: ApiDeps, sessions: SessionCache): RouteMiddleware {
  const limiters = createRateLimiters(deps);
  const gate = policyGate(deps.orm);
  const session = sessionMiddleware(deps, sessions, false);
  const heldSession = sessionMiddleware(deps, sessions, true);
  return (spec) => {
    if (spec.sessionCache && spec.method !== 'get')
      throw new Error(`${spec.path}: only a GET may use the session cache`);
    const handlers: RequestHandler[] = [spec.sessionCache ? heldSession : session];
    const access = accessMiddleware(spec.access);
    if (access) handlers.push(access);
    // D-POLICY: routes for active accounts wait until a policy change needing consent is accepted.
    if (spec.access !== 'public' && spec.access !== 'session' && !spec.policyExempt) handlers.push(gate);
    if (!SAFE_METHODS.has(spec.method) && spec.csrf !== false) handlers.push(deps.csrf.protect);
    if (spec.rateLimit) handlers.push(limiters[spec.rateLimit]);
    return handlers;
  };
}

export function createApp(clients: Clients): Express {
  const deps: ApiDeps = { ...clients, csrf: createCsrf(clients) };
  const app = express();
  app.disable('x-powered-by');
  const trust = deps.config.api.trustProxy;
  app.set('trust proxy', /^\d+$/.test(trust) ? Number(trust) : trust.split(',').map((s) => s.trim()));
  // Every request is timed by its route's pattern; the figures are read on /metrics.
  const metrics = createApiMetrics(deps);
  app.use(metrics.middleware);
  app.use(requestLog(deps.logger));
  app.get(METRICS_PATH, metrics.handler);
  app.use(helmet());
  // Answers carry personal data, so no browser or proxy may keep a copy of one; with
  // nothing stored there is nothing to revalidate, and no ETag (a hash of every body)
  // is computed. A route that streams (live progress) sets its own.
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Browsers reach the API through the site's own origin; no other origin may call it with cookies.
  const siteOrigin = new URL(deps.config.web.publicUrl).origin;
  app.use(cors({ origin: (origin, done) => done(null, origin === siteOrigin), credentials: true }));
  app.use(cookieParser());
  // Stripe and fal sign the exact bytes they sent: their webhooks get the raw body,
  // everything else JSON.
  app.use('/api/webhooks/stripe', express.raw({ type: '*/*', limit: deps.config.api.bodyLimit }));
  app.use('/api/webhooks/providers', express.raw({ type: '*/*', limit: deps.config.api.bodyLimit }));
  app.use(express.json({ limit: deps.config.api.bodyLimit }));
  app.use(visitorMiddleware(deps));
  const sessions = new SessionCache(deps.notifications, deps.logger, metrics.registry);
  app.use((req, res, next) => {
    sessions.watchChange(req, res);
    next();
  });

  const routes = allRoutes(deps);
  const router = express.Router();
  mountRoutes(router, routes, routeMiddleware(deps, sessions), deps);
  app.use(router);
  const document = buildOpenApiDocument(routes);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
