// Provider callbacks. The URL carries an HMAC of provider and job, so only a URL we gave
// out is accepted (fal's deliveries also carry fal's own signature over the raw body,
// which the API keeps unparsed for this route); the body only tells the workflow to look
// now: the result itself is always read back from the provider's API.
import { z } from 'zod';
import { PROVIDER_NAMES } from '../../domain/models.ts';
import { receiveProviderCallback } from '../../use-cases/provider-callback.ts';
import { defineRoute } from '../route.ts';

export const webhookRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/webhooks/providers/:provider/:jobId',
    summary: "A provider's callback for a job (signed URL)",
    tags: ['webhooks'],
    access: 'public',
    csrf: false,
    params: z.object({ provider: z.enum(PROVIDER_NAMES), jobId: z.uuid() }),
    query: z.object({ sig: z.string().max(100) }),
    // The provider's own JSON; kept as the bytes it sent (see api/app.ts) for its signature.
    body: z.unknown(),
    bodyType: 'raw',
    errors: [
      { status: 401, code: 'webhook_signature_invalid', when: 'the provider signature does not hold' },
      {
        status: 503,
        code: 'webhook_keys_unavailable',
        when: 'the provider signing keys cannot be read now (the provider retries)',
      },
    ],
    handler: ({ deps, params, query, body, req }) =>
      receiveProviderCallback(deps, {
        ...params,
        sig: query.sig,
        headers: req.headers,
        rawBody: Buffer.isBuffer(body) ? body : new Uint8Array(),
      }),
  }),
];
