// The OpenAPI document, generated from the same route declarations the router uses:
// every path with its parameters, declared headers (the CSRF token on every state-changing
// route, Idempotency-Key where a create is retried), request body (JSON, or the multipart
// upload), success response, and the errors each route can answer with, by status and code.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { CSRF_HEADER } from './auth/csrf.ts';
import { openApiPath, type AnyRoute, type ErrorDoc } from './route.ts';

const SAFE_METHODS = new Set(['get', 'head', 'options']);

function errorBody(codes: readonly string[]) {
  return z.object({
    error: z.object({
      code: z.enum(codes as [string, ...string[]]),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
      requestId: z.string().optional(),
    }),
  });
}

const csrfHeader = z
  .string()
  .meta({ description: 'The token from GET /api/auth/session (double-submit, bound to the session).' });

/** The errors every route of this kind can give, whatever it does. */
function commonErrors(route: AnyRoute): ErrorDoc[] {
  const errors: ErrorDoc[] = [
    { status: 500, code: 'internal', when: 'something failed on our side' },
    {
      status: 503,
      code: 'service_unavailable',
      when: 'the workflow engine or the database does not answer; try again in a few minutes',
    },
  ];
  const validated = route.body || route.query || route.params || route.headers;
  if (validated)
    errors.push({ status: 400, code: 'invalid_request', when: 'a field, parameter or header is invalid' });
  if (route.body && route.bodyType !== 'raw') {
    errors.push({ status: 413, code: 'payload_too_large', when: 'the body is over the limit' });
    errors.push({
      status: 415,
      code: 'unsupported_media_type',
      when: 'the body is not of the declared type',
    });
  }
  if (route.access !== 'public') {
    errors.push({ status: 401, code: 'unauthenticated', when: 'not signed in' });
    errors.push({ status: 403, code: 'mfa_required', when: 'two-factor authentication is needed first' });
  }
  if (route.access !== 'public' && route.access !== 'session') {
    errors.push({ status: 403, code: 'forbidden', when: 'the account may not use this route' });
    errors.push({ status: 403, code: 'account_inactive', when: 'the account can no longer be used' });
    errors.push({ status: 403, code: 'parental_consent_required', when: 'a parent has not confirmed yet' });
    if (route.access === 'verified')
      errors.push({ status: 403, code: 'email_unverified', when: 'the address is not verified' });
    if (!route.policyExempt) {
      errors.push({
        status: 403,
        code: 'policy_acceptance_required',
        when: 'a policy change needs acceptance',
      });
    }
  }
  if (route.params) errors.push({ status: 404, code: 'not_found', when: 'no such record (or not yours)' });
  if (!SAFE_METHODS.has(route.method) && route.csrf !== false) {
    errors.push({ status: 403, code: 'csrf_failed', when: `the ${CSRF_HEADER} header is missing or wrong` });
  }
  if (route.rateLimit)
    errors.push({ status: 429, code: 'rate_limited', when: 'too many requests; see Retry-After' });
  return errors;
}

function errorResponses(route: AnyRoute) {
  const byStatus = new Map<number, ErrorDoc[]>();
  for (const error of [...commonErrors(route), ...(route.errors ?? [])]) {
    byStatus.set(error.status, [...(byStatus.get(error.status) ?? []), error]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, errors]) => [
      status,
      {
        description: errors.map((e) => `\`${e.code}\`: ${e.when}`).join('; '),
        content: { 'application/json': { schema: errorBody([...new Set(errors.map((e) => e.code))]) } },
      },
    ]),
  );
}

/** The success answer: a JSON body, or for a redirect (Sign in with Google) its Location. */
function successResponse(route: AnyRoute) {
  const status = route.status ?? 200;
  if (status >= 300 && status < 400) {
    return {
      description: 'Redirect: the browser goes on to the Location',
      headers: {
        Location: { description: 'Where the browser goes next', schema: { type: 'string' as const } },
      },
    };
  }
  return {
    description: 'Success',
    ...(route.response ? { content: { 'application/json': { schema: route.response } } } : {}),
  };
}

function requestHeaders(route: AnyRoute) {
  const csrf = !SAFE_METHODS.has(route.method) && route.csrf !== false;
  if (!csrf && !route.headers) return undefined;
  return z.object({ ...(route.headers?.shape ?? {}), ...(csrf ? { [CSRF_HEADER]: csrfHeader } : {}) });
}

function requestBody(route: AnyRoute) {
  if (!route.body) return undefined;
  const type = route.bodyType === 'multipart' ? 'multipart/form-data' : 'application/json';
  return { body: { required: route.bodyType !== 'raw', content: { [type]: { schema: route.body } } } };
}

export function buildOpenApiDocument(routes: readonly AnyRoute[]) {
  const registry = new OpenAPIRegistry();
  for (const route of routes) {
    const access = Array.isArray(route.access) ? route.access.join(', ') : String(route.access);
    const headers = requestHeaders(route);
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      summary: route.summary,
      description: `Access: ${access}`,
      tags: route.tags,
      request: {
        ...(route.params instanceof z.ZodObject ? { params: route.params } : {}),
        ...(route.query instanceof z.ZodObject ? { query: route.query } : {}),
        ...(headers ? { headers } : {}),
        ...requestBody(route),
      },
      responses: {
        [route.status ?? 200]: successResponse(route),
        ...Object.fromEntries(
          (route.alsoAnswers ?? []).map((other) => [
            other.status,
            { ...successResponse(route), description: `Success: ${other.when}` },
          ]),
        ),
        ...errorResponses(route),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Clipwise API',
      version: '1.0.0',
      description: `Browsers sign in with a session cookie; every state-changing request then carries the ${CSRF_HEADER} header (its token comes from GET /api/auth/session). Errors are JSON: { "error": { "code", "message", "fields"? } }.`,
    },
  });
}
