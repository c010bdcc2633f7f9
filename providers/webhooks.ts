// Provider callbacks carry the job id and an HMAC of it in their URL: most providers do
// not sign their webhooks, so the URL itself is the credential, and a callback is only
// ever a hint to poll the provider (its content is never trusted on its own). Where a
// provider signs its deliveries (fal, for Pika), that signature is checked as well, so a
// leaked callback URL alone cannot forge one.
import type { Config } from '../config/index.ts';
import type { ProviderName } from '../domain/models.ts';
import { keyedHash, safeEqual } from '../platform/crypto.ts';
import { FAL_JWKS_URL, createJwksCache, verifyFalWebhook } from './fal-webhook.ts';
import type { HeaderBag, JwksSource } from './fal-webhook.ts';

const PURPOSE = 'provider-webhook';

export function webhookSignature(secret: string, provider: ProviderName, jobId: string): string {
  return keyedHash(secret, PURPOSE, `${provider}:${jobId}`).slice(0, 32);
}

export function webhookUrlFor(config: Config, provider: ProviderName, jobId: string): string {
  const sig = webhookSignature(config.sessionSecret, provider, jobId);
  return `${config.api.publicUrl}/api/webhooks/providers/${provider}/${jobId}?sig=${sig}`;
}

export function webhookSignatureValid(
  secret: string,
  provider: ProviderName,
  jobId: string,
  sig: string,
): boolean {
  return safeEqual(webhookSignature(secret, provider, jobId), sig);
}

/** One delivery as it reached us: the URL's parts, the headers and the body's exact bytes. */
export interface ProviderWebhookDelivery {
  jobId: string;
  /** The `sig` query parameter of our callback URL. */
  sig: string;
  headers: HeaderBag;
  /** The body as received, before any JSON parsing: signatures cover these bytes. */
  rawBody: Uint8Array;
}

export type ProviderWebhookVerdict =
  | { ok: true }
  | {
      ok: false;
      /** `url_signature` for a URL we did not give out; the others are the provider's own check. */
      reason:
        | 'url_signature'
        | 'missing_headers'
        | 'bad_timestamp'
        | 'stale_timestamp'
        | 'bad_signature'
        | 'no_keys';
    };

export interface ProviderWebhookVerifier {
  verifyProviderWebhook(
    provider: ProviderName,
    delivery: ProviderWebhookDelivery,
  ): Promise<ProviderWebhookVerdict>;
}

/**
 * Built once per process: it holds fal's keys between deliveries. `fetch` and `now` are
 * for tests.
 */
export function createProviderWebhookVerifier(
  config: Pick<Config, 'sessionSecret'> & { providers: { pika: { webhookJwksUrl?: string } } },
  options: { fetch?: typeof fetch; now?: () => number; falJwks?: JwksSource } = {},
): ProviderWebhookVerifier {
  const falJwks =
    options.falJwks ??
    createJwksCache({
      url: config.providers.pika.webhookJwksUrl ?? FAL_JWKS_URL,
      fetch: options.fetch,
      now: options.now,
    });
  return {
    async verifyProviderWebhook(provider, delivery) {
      if (!webhookSignatureValid(config.sessionSecret, provider, delivery.jobId, delivery.sig)) {
        return { ok: false, reason: 'url_signature' };
      }
      if (provider !== 'pika') return { ok: true };
      const verdict = await verifyFalWebhook({
        headers: delivery.headers,
        rawBody: delivery.rawBody,
        jwks: falJwks,
        now: options.now,
      });
      return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason };
    },
  };
}
