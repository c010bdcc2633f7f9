// The OpenAPI document, generated from the same route declarations the router uses.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { openApiPath, type AnyRoute } from './route.ts';

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional(),
  }),
});

export function buildOpenApiDocument(routes: readonly AnyRoute[]) {
  const registry = new OpenAPIRegistry();
  for (const route of routes) {
    const access =
      route.access === 'public'
        ? 'public'
        : Array.isArray(route.access)
          ? route.access.join(', ')
          : String(route.access);
    registry.registerPath({
      method: route.method,
      path: openApiPath(route.path),
      summary: route.summary,
      description: `Access: ${access}`,
      tags: route.tags,
      request: {
        ...(route.params instanceof z.ZodObject ? { params: route.params } : {}),
        ...(route.query instanceof z.ZodObject ? { query: route.query } : {}),
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
      },
      responses: {
        [route.status ?? 200]: {
          description: 'Success',
          ...(route.response ? { content: { 'application/json': { schema: route.response } } } : {}),
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorBody } } },
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Clipwise API', version: '1.0.0' },
  });
}
