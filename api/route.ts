// Each route declares, in one place, its method and path, the schemas of what it takes
// and returns, and who may call it. The router, the request validation, the OpenAPI
// document and the authorization walk test are all built from these declarations.
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../domain/accounts.ts';
import type { RateLimitName } from './auth/rateLimit.ts';
import type { ApiDeps } from './deps.ts';
import { validationError } from './errors.ts';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * Who may call a route:
 * - `public`: anyone;
 * - `session`: any signed-in browser, even an account still waiting for a parent's consent;
 * - `signed-in`: an active account;
 * - `verified`: an active account whose email address is verified;
 * - a list of roles: an active account with one of them; staff roles also need a session
 *   that passed multi-factor authentication (S-MFA).
 */
export type Access = 'public' | 'session' | 'signed-in' | 'verified' | readonly Role[];

export interface RouteContext<B, Q, P> {
  /** The clients a handler hands to its use case. */
  deps: ApiDeps;
  body: B;
  query: Q;
  params: P;
  req: Request;
  res: Response;
}

export interface RouteSpec<B = unknown, Q = unknown, P = unknown> {
  method: HttpMethod;
  /** Express path, e.g. `/api/jobs/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Schema of the success response, for the OpenAPI document. */
  response?: z.ZodType;
  /** Success status; 200 by default. */
  status?: number;
  /** Extra middleware run after access checks and before validation (uploads). */
  before?: RequestHandler[];
  /** The rate limit that protects this route (S-RATE). */
  rateLimit?: RateLimitName;
  /**
   * CSRF protection applies to every state-changing route; only callers that carry no
   * cookie at all (provider and payment webhooks, authenticated by signature) opt out.
   */
  csrf?: false;
  /**
   * Reachable before a policy change that needs consent is accepted (D-POLICY): the
   * acceptance itself. Every other route for active accounts waits for it.
   */
  policyExempt?: true;
  /**
   * Returns the JSON body to send with `status`, or undefined when the handler wrote the
   * response itself (streams, redirects).
   */
  handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown> | unknown;
}

export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<B = undefined, Q = undefined, P = undefined>(
  spec: RouteSpec<B, Q, P>,
): RouteSpec<B, Q, P> {
  return spec;
}

/** The middleware a route gets before its handler: access, CSRF, rate limit. */
export type RouteMiddleware = (spec: AnyRoute) => RequestHandler[];

function parseInto<T>(
  where: 'body' | 'query' | 'params',
  schema: z.ZodType<T> | undefined,
  value: unknown,
): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value ?? (where === 'body' ? {} : value));
  if (!parsed.success) throw validationError(where, parsed.error);
  return parsed.data;
}

/** Mounts routes on a router: access, CSRF and rate limit, extra middleware, validation, handler. */
export function mountRoutes(
  router: Router,
  routes: readonly AnyRoute[],
  middleware: RouteMiddleware,
  deps: ApiDeps,
): void {
  for (const spec of routes) {
    const handlers: RequestHandler[] = [...middleware(spec), ...(spec.before ?? [])];
    handlers.push(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const ctx: RouteContext<unknown, unknown, unknown> = {
          deps,
          body: parseInto('body', spec.body, req.body),
          query: parseInto('query', spec.query, req.query),
          params: parseInto('params', spec.params, req.params),
          req,
          res,
        };
        const result = await spec.handler(ctx);
        if (result !== undefined && !res.headersSent) {
          // A handler may answer with another success status (a replayed create answers 200).
          res.status((res.locals.status as number | undefined) ?? spec.status ?? 200).json(result);
        }
      } catch (err) {
        next(err);
      }
    });
    router[spec.method](spec.path, ...handlers);
  }
}

/** `/api/jobs/:id` -> `/api/jobs/{id}` for OpenAPI. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
