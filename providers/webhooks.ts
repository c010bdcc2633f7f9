// Provider callbacks carry the job id and an HMAC of it in their URL: most providers do
// not sign their webhooks, so the URL itself is the credential, and a callback is only
// ever a hint to poll the provider (its content is never trusted on its own).
import type { Config } from '../config/index.ts';
import type { ProviderName } from '../domain/models.ts';
import { keyedHash, safeEqual } from '../platform/crypto.ts';

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
