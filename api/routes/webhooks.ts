// Provider callbacks. The URL carries an HMAC of provider and job, so only a URL we gave
// out is accepted; the body only tells the workflow to look now: the result itself is
// always read back from the provider's API.
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { createProviderAdapters } from '../../providers/index.ts';
import { webhookSignatureValid } from '../../providers/webhooks.ts';
import { PROVIDER_NAMES, type ProviderName } from '../../domain/models.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { providerUpdateSignal } from '../../workflows/generation.ts';
import type { ApiDeps } from '../deps.ts';
import { notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

export function webhookRoutes(deps: ApiDeps) {
  const adapters = createProviderAdapters(deps.config.providers);
  return [
    defineRoute({
      method: 'post',
      path: '/api/webhooks/providers/:provider/:jobId',
      summary: "A provider's callback for a job (signed URL)",
      tags: ['webhooks'],
      access: 'public',
      csrf: false,
      params: z.object({ provider: z.enum(PROVIDER_NAMES), jobId: z.uuid() }),
      query: z.object({ sig: z.string().max(100) }),
      body: z.unknown(),
      handler: async ({ params, query, body }) => {
        const provider = params.provider as ProviderName;
        if (!webhookSignatureValid(deps.config.sessionSecret, provider, params.jobId, query.sig)) {
          throw notFound('Unknown callback.');
        }
        const adapter = adapters[provider as Exclude<ProviderName, 'local'>];
        const update = adapter?.parseWebhook?.(body) ?? null;
        try {
          await deps.temporal.client.workflow
            .getHandle(workflowIds.generation(params.jobId))
            .signal(providerUpdateSignal, {
              taskId: update?.taskId ?? 'unknown',
              status: update?.status,
              progress: update?.progress,
            });
        } catch (err) {
          // A callback for a job that has ended is normal (a late or repeated delivery).
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        return { received: true };
      },
    }),
  ];
}
