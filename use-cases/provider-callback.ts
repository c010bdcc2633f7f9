// A provider's callback for a job: accepted only at a URL we gave out (an HMAC of
// provider and job), and only ever a hint for the job's workflow to look now.
import { signalProviderUpdate } from '../clients/generation.ts';
import { notFound } from '../domain/errors.ts';
import type { ProviderName } from '../domain/models.ts';
import { createProviderAdapters } from '../providers/index.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import { webhookSignatureValid } from '../providers/webhooks.ts';
import type { UseCaseDeps } from './deps.ts';

const adaptersByConfig = new WeakMap<object, Partial<Record<ProviderName, ProviderAdapter>>>();

export async function receiveProviderCallback(
  deps: UseCaseDeps,
  target: { provider: ProviderName; jobId: string },
  sig: string,
  body: unknown,
): Promise<{ received: true }> {
  if (!webhookSignatureValid(deps.config.sessionSecret, target.provider, target.jobId, sig)) {
    throw notFound('Unknown callback.');
  }
  let adapters = adaptersByConfig.get(deps.config.providers);
  if (!adapters)
    adaptersByConfig.set(deps.config.providers, (adapters = createProviderAdapters(deps.config.providers)));
  const update = adapters[target.provider]?.parseWebhook?.(body) ?? null;
  // A callback for a job that has ended is normal (a late or repeated delivery): dropped.
  await signalProviderUpdate(deps.temporal.client, target.jobId, {
    taskId: update?.taskId ?? 'unknown',
    status: update?.status,
    progress: update?.progress,
  });
  return { received: true };
}
