// Each route declares, in one place, its method and path, the schemas of what it takes
// and returns, and who may call it. The router, the request validation, the OpenAPI
// document and the authorization walk test are all built from these declarations.
import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { Role } from '../domain/accounts.ts';
import type { RateLimitName } from './auth/rateLimit.ts';
import type { ApiDeps } from './deps.ts';
import { AppError, badRequest, validationError } from './errors.ts';

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

export interface RouteContext<B, Q, P, H = unknown> {
  /** The clients a handler hands to its use case. */
  deps: ApiDeps;
  body: B;
  query: Q;
  params: P;
  /** The request headers the route declares, validated. */
  headers: H;
  req: Request;
  res: Response;
}

/** How a route's body arrives: JSON (the default), a multipart upload, or raw bytes (signed webhooks). */
export type BodyType = 'json' | 'multipart' | 'raw';

/** An error a route may answer with, for the OpenAPI document. */
export interface ErrorDoc {
  status: number;
  code: string;
  /** When it happens, in a few words. */
  when: string;
}

/** A route that emails someone as it answers, when the mail relay does not take it now (api/errors.ts). */
export const MAIL_UNAVAILABLE: ErrorDoc = {
  status: 503,
  code: 'mail_unavailable',
  when: 'the mail relay does not take the email now; try again',
};

export interface RouteSpec<B = unknown, Q = unknown, P = unknown, H = unknown> {
  method: HttpMethod;
  /** Express path, e.g. `/api/jobs/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Request headers the route needs, by their usual names (`Idempotency-Key`), validated like the body. */
  headers?: z.ZodObject & z.ZodType<H>;
  /** How the body is sent; `json` when unset. A JSON route refuses another type with 415. */
  bodyType?: BodyType;
  /** The route's own errors (beyond validation, access, CSRF and rate limits), documented. */
  errors?: readonly ErrorDoc[];
  /** Schema of the success response, for the OpenAPI document. */
  response?: z.ZodType;
  /** Success status; 200 by default. */
  status?: number;
  /** Other success statuses the handler may answer with (same body), documented. */
  alsoAnswers?: readonly { status: number; when: string }[];
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
   * A read a page repeats (a job's status): its session may come from those this process
   * holds, kept exact by PostgreSQL's announcements (api/auth/session-cache.ts). GET only.
   */
  sessionCache?: true;
  /**
   * Returns the JSON body to send with `status`, or undefined when the handler wrote the
   * response itself (streams, redirects).
   */
  handler: (ctx: RouteContext<B, Q, P, H>) => Promise<unknown> | unknown;
}

export type AnyRoute = RouteSpec<any, any, any, any>;

export function defineRoute<B = undefined, Q = undefined, P = undefined, H = undefined>(
  spec: RouteSpec<B, Q, P, H>,
): RouteSpec<B, Q, P, H> {
  return spec;
}

/** The middleware a route gets before its handler: access, CSRF, rate limit. */
export type RouteMiddleware = (spec: AnyRoute) => RequestHandler[];

/** Where a request's text holds a NUL character, by field path (strings in JSON, query, params). */
function nulCharacters(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path.join('.')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulCharacters(v, [...path, String(i)]));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.entries(value).flatMap(([k, v]) => nulCharacters(v, [...path, k]));
  return [];
}

function parseInto<T>(
  where: 'body' | 'query' | 'params' | 'headers',
  schema: z.ZodType<T> | undefined,
  value: unknown,
): T {
  if (!schema) return value as T;
  // PostgreSQL's text cannot hold U+0000: refused here by name rather than failing at the
  // database as a 500 (found by the API fuzz). A raw body (a Buffer) is the handler's.
  const nul = nulCharacters(value);
  if (nul.length > 0)
    throw badRequest(
      `Invalid ${where}: text cannot contain the NUL character (U+0000).`,
      nul.map((field) => ({ field: field || where, message: 'Remove the NUL character (U+0000).' })),
    );
  const parsed = schema.safeParse(value ?? (where === 'body' ? {} : value));
  if (!parsed.success) throw validationError(where, parsed.error);
  return parsed.data;
}

/** The declared headers, read case-insensitively and named as the route declares them. */
function declaredHeaders(spec: AnyRoute, req: Request): Record<string, string | undefined> | undefined {
  if (!spec.headers) return undefined;
  return Object.fromEntries(Object.keys(spec.headers.shape).map((name) => [name, req.get(name)]));
}

const MEDIA_TYPES: Readonly<Record<Exclude<BodyType, 'raw'>, string>> = {
  json: 'application/json',
  multipart: 'multipart/form-data',
};

/**
 * A body sent as another type than the route reads is refused by name (415), instead of
 * being read as empty and every field reported missing.
 */
function checkContentType(spec: AnyRoute, req: Request): void {
  const type = spec.bodyType ?? 'json';
  // A multipart body is read by the handler, after its own checks; it names a wrong type itself.
  if (!spec.body || type !== 'json') return;
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || req.is(MEDIA_TYPES[type])) return;
  const sent = req.headers['content-type']?.split(';')[0]?.trim() || 'no Content-Type';
  throw new AppError(
    415,
    'unsupported_media_type',
    `Send this request's body as ${MEDIA_TYPES[type]} (it came as ${sent}).`,
  );
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
        checkContentType(spec, req);
        const ctx: RouteContext<unknown, unknown, unknown, unknown> = {
          deps,
          headers: parseInto('headers', spec.headers, declaredHeaders(spec, req)),
          // A multipart body is a stream the handler reads; its schema only documents it.
          body: spec.bodyType === 'multipart' ? undefined : parseInto('body', spec.body, req.body),
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
