// fal's own webhook signature (fal.ai docs, model APIs, webhooks: "Verifying your
// webhook"): every delivery carries X-Fal-Webhook-Request-Id, -User-Id, -Timestamp and
// -Signature; the signature is ED25519 over
// `{request id}\n{user id}\n{timestamp}\n{hex sha256 of the raw body}`, made with one of
// the keys fal publishes as a JWKS. It proves the body came from fal and was not changed,
// which our URL's HMAC (webhooks.ts) cannot: that only proves the URL is one we gave out.
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { HOUR, MINUTE } from '../domain/time.ts';

export const FAL_WEBHOOK_HEADERS = {
  requestId: 'x-fal-webhook-request-id',
  userId: 'x-fal-webhook-user-id',
  timestamp: 'x-fal-webhook-timestamp',
  signature: 'x-fal-webhook-signature',
} as const;
/** fal's published keys; configurable (FAL_WEBHOOK_JWKS_URL) so tests use the simulator's. */
export const FAL_JWKS_URL = 'https://rest.alpha.fal.ai/.well-known/jwks.json';
/** A delivery signed further than this from our clock is refused (replays, stale retries). */
export const FAL_WEBHOOK_TOLERANCE_MS = 5 * MINUTE;
/** fal asks that its keys be cached no longer than a day; an hour picks up rotations sooner. */
export const FAL_JWKS_TTL_MS = 1 * HOUR;
/** After a signature no cached key verifies, the keys are fetched again at most this often. */
export const FAL_JWKS_MIN_REFRESH_MS = 5 * MINUTE;
const JWKS_TIMEOUT_MS = 10_000;
const ED25519_SIGNATURE_BYTES = 64;

export type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** fal's public keys, cached. `refresh` asks for a fresh copy (rate-limited by the cache). */
export interface JwksSource {
  keys(options?: { refresh?: boolean }): Promise<KeyObject[]>;
}

export type FalWebhookVerdict =
  | { ok: true; requestId: string; userId: string }
  | {
      ok: false;
      reason: 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature' | 'no_keys';
    };

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : (found as string | undefined);
}

/** The keys of a JWKS document that can verify fal's signatures (Ed25519 only). */
export function ed25519Keys(document: unknown): KeyObject[] {
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return [];
  return keys.flatMap((jwk: unknown) => {
    const k = jwk as { kty?: unknown; crv?: unknown; x?: unknown };
    if (k?.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string') return [];
    try {
      return [createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' })];
    } catch {
      return [];
    }
  });
}

/**
 * Fetches a JWKS and keeps it for `ttlMs`. Concurrent callers share one fetch; a failed
 * fetch keeps the keys already held (fal's keys outlive a short outage of its endpoint).
 */
export function createJwksCache(options: {
  url: string;
  fetch?: typeof fetch;
  now?: () => number;
  ttlMs?: number;
  minRefreshMs?: number;
}): JwksSource {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? FAL_JWKS_TTL_MS;
  const minRefreshMs = options.minRefreshMs ?? FAL_JWKS_MIN_REFRESH_MS;
  let held: { keys: KeyObject[]; at: number } | undefined;
  let pending: Promise<KeyObject[]> | undefined;

  const load = async (): Promise<KeyObject[]> => {
    try {
      const response = await doFetch(options.url, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`JWKS answered HTTP ${response.status}`);
      const keys = ed25519Keys(await response.json());
      if (keys.length === 0) throw new Error('JWKS holds no Ed25519 key');
      held = { keys, at: now() };
      return keys;
    } catch (err) {
      if (held) return held.keys;
      throw err;
    } finally {
      pending = undefined;
    }
  };

  return {
    async keys({ refresh = false } = {}) {
      const age = held ? now() - held.at : Infinity;
      const fresh = age < ttlMs && !(refresh && age >= minRefreshMs);
      if (held && fresh) return held.keys;
      pending ??= load();
      return pending;
    },
  };
}

function signedMessage(requestId: string, userId: string, timestamp: string, rawBody: Uint8Array): Buffer {
  const bodyHash = createHash('sha256').update(rawBody).digest('hex');
  return Buffer.from(`${requestId}\n${userId}\n${timestamp}\n${bodyHash}`, 'utf8');
}

/**
 * Checks one delivery against fal's keys. Needs the body exactly as it arrived: a body
 * parsed and serialised again hashes differently.
 */
export async function verifyFalWebhook(input: {
  headers: HeaderBag;
  rawBody: Uint8Array;
  jwks: JwksSource;
  now?: () => number;
}): Promise<FalWebhookVerdict> {
  const requestId = header(input.headers, FAL_WEBHOOK_HEADERS.requestId);
  const userId = header(input.headers, FAL_WEBHOOK_HEADERS.userId);
  const timestamp = header(input.headers, FAL_WEBHOOK_HEADERS.timestamp);
  const signatureHex = header(input.headers, FAL_WEBHOOK_HEADERS.signature);
  if (!requestId || !userId || !timestamp || !signatureHex) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const skew = Math.abs((input.now ?? Date.now)() - Number(timestamp) * 1000);
  if (skew > FAL_WEBHOOK_TOLERANCE_MS) return { ok: false, reason: 'stale_timestamp' };
  if (!/^[0-9a-f]+$/i.test(signatureHex) || signatureHex.length !== ED25519_SIGNATURE_BYTES * 2) {
    return { ok: false, reason: 'bad_signature' };
  }
  const signature = Buffer.from(signatureHex, 'hex');
  const message = signedMessage(requestId, userId, timestamp, input.rawBody);
  const matches = (keys: KeyObject[]) => keys.some((key) => verify(null, message, key, signature));

  let keys: KeyObject[];
  try {
    keys = await input.jwks.keys();
  } catch {
    return { ok: false, reason: 'no_keys' };
  }
  if (matches(keys)) return { ok: true, requestId, userId };
  // fal may have rotated its keys since we fetched them: look once more.
  const refreshed = await input.jwks.keys({ refresh: true }).catch(() => keys);
  if (refreshed !== keys && matches(refreshed)) return { ok: true, requestId, userId };
  return { ok: false, reason: 'bad_signature' };
}
