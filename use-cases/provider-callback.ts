// A provider's callback for a job: accepted only at a URL we gave out (an HMAC of
// provider and job) and, for fal, only with fal's own ED25519 signature over the exact
// bytes it sent. Even then it is only ever a hint for the job's workflow to look now:
// the result itself is always read back from the provider's API.
import { providerUpdateSignalFor } from '../clients/generation.ts';
import { AppError, badRequest, notFound } from '../domain/errors.ts';
import type { ProviderName } from '../domain/models.ts';
import { createProviderAdapters } from '../providers/index.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import { createProviderWebhookVerifier, type ProviderWebhookVerifier } from '../providers/webhooks.ts';
import type { UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';

interface CallbackTools {
  adapters: Partial<Record<ProviderName, ProviderAdapter>>;
  verifier: ProviderWebhookVerifier;
}
// Built once per configuration: the verifier keeps fal's keys between deliveries.
const toolsByConfig = new WeakMap<object, CallbackTools>();
function toolsFor(deps: UseCaseDeps): CallbackTools {
  let tools = toolsByConfig.get(deps.config);
  if (!tools) {
    tools = {
      adapters: createProviderAdapters(deps.config.providers),
      verifier: createProviderWebhookVerifier(deps.config),
    };
    toolsByConfig.set(deps.config, tools);
  }
  return tools;
}

export interface ProviderCallback {
  provider: ProviderName;
  jobId: string;
  /** The `sig` of our callback URL. */
  sig: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body's exact bytes: signatures cover these, not a re-serialised copy. */
  rawBody: Uint8Array;
}

export async function receiveProviderCallback(
  deps: UseCaseDeps,
  callback: ProviderCallback,
): Promise<{ received: true }> {
  const { adapters, verifier } = toolsFor(deps);
  const verdict = await verifier.verifyProviderWebhook(callback.provider, callback);
  if (!verdict.ok) {
    // A URL we never gave out is unknown; a bad provider signature is refused as such, and
    // fal's keys being out of reach is ours to fix: fal retries a 503.
    if (verdict.reason === 'url_signature') throw notFound('Unknown callback.');
    if (verdict.reason === 'no_keys') {
      throw new AppError(
        503,
        'webhook_keys_unavailable',
        "The provider's signing keys cannot be read right now.",
      );
    }
    throw new AppError(
      401,
      'webhook_signature_invalid',
      `The callback's signature does not hold (${verdict.reason}).`,
    );
  }
  let body: unknown;
  try {
    body = callback.rawBody.length ? JSON.parse(Buffer.from(callback.rawBody).toString('utf8')) : null;
  } catch {
    throw badRequest('The callback body is not valid JSON.');
  }
  const update = adapters[callback.provider]?.parseWebhook?.(body) ?? null;
  // A callback for a job that has ended is normal (a late or repeated delivery): dropped.
  // While Temporal does not answer, it is kept and told later, and the delivery is
  // answered as received: not every provider sends a refused callback again.
  await tell(deps, [
    providerUpdateSignalFor(callback.jobId, {
      taskId: update?.taskId ?? 'unknown',
      status: update?.status,
      progress: update?.progress,
    }),
  ]);
  return { received: true };
}
