// Provider callbacks: our URL's HMAC for every provider, and fal's own ED25519 signature
// on top for Pika, checked against the keys fal publishes (here, the simulator's).
import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE, SECOND } from '../../../domain/time.ts';
import {
  FAL_JWKS_MIN_REFRESH_MS,
  FAL_JWKS_TTL_MS,
  FAL_WEBHOOK_TOLERANCE_MS,
  createJwksCache,
} from '../../../providers/fal-webhook.ts';
import { createProviderWebhookVerifier, webhookSignature } from '../../../providers/webhooks.ts';
import {
  FAL_SIM_USER_ID,
  SIMULATOR_API_KEY,
  falWebhookHeaders,
  startProviderSimulator,
} from '../../support/simulator/index.ts';
import type { ProviderSimulator } from '../../support/simulator/index.ts';
import { startWebhookReceiver } from '../../support/simulator/receiver.ts';
import type { WebhookReceiver } from '../../support/simulator/receiver.ts';
import { createPikaAdapter } from '../../../providers/pika.ts';
import { model, requestFor } from './helpers.ts';

const SECRET = 'webhook-test-session-secret';
const JOB = '0f8fad5b-d9cb-469f-a165-70867728950e';
const BODY = Buffer.from(
  JSON.stringify({ request_id: 'req-1', status: 'OK', payload: { video: { url: 'https://v/x.mp4' } } }),
);

let sim: ProviderSimulator;
let receiver: WebhookReceiver;
beforeAll(async () => {
  sim = await startProviderSimulator({ faults: { instant: true } });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sim.stop();
  await receiver.stop();
});

/** A JWKS endpoint stand-in that counts its fetches and can be switched off or rotated. */
function jwksServer() {
  const state = { fetches: 0, down: false, document: undefined as unknown };
  const fetchImpl: typeof fetch = async (url) => {
    state.fetches += 1;
    if (state.down) return new Response('unavailable', { status: 503 });
    return state.document === undefined ? fetch(url) : Response.json(state.document);
  };
  return { state, fetchImpl };
}

const verifierAt = (nowMs: () => number, fetchImpl?: typeof fetch) =>
  createProviderWebhookVerifier(
    { sessionSecret: SECRET, providers: { pika: { webhookJwksUrl: sim.falJwksUrl } } },
    { now: nowMs, ...(fetchImpl ? { fetch: fetchImpl } : {}) },
  );
const delivery = (
  headers: Record<string, string>,
  rawBody: Uint8Array = BODY,
  sig = webhookSignature(SECRET, 'pika', JOB),
) => ({
  jobId: JOB,
  sig,
  headers,
  rawBody,
});

describe('verifyProviderWebhook for fal (Pika)', () => {
  it('accepts a webhook the simulated fal really sent, from its raw bytes', async () => {
    const adapter = createPikaAdapter({ apiKey: SIMULATOR_API_KEY, baseUrl: sim.url });
    const req = {
      ...requestFor(model('pika-2.2')),
      webhookUrl: `${receiver.url}/api/webhooks/providers/pika/${JOB}?sig=${webhookSignature(SECRET, 'pika', JOB)}`,
    };
    await adapter.submit(req);
    const received = await receiver.waitFor(JOB);
    const verdict = await verifierAt(Date.now).verifyProviderWebhook('pika', {
      jobId: JOB,
      sig: webhookSignature(SECRET, 'pika', JOB),
      headers: received.headers,
      rawBody: received.rawBody,
    });
    expect(verdict).toEqual({ ok: true });
    expect(received.headers['x-fal-webhook-user-id']).toBe(FAL_SIM_USER_ID);
  });

  it('refuses a body changed after signing, even by one byte of whitespace', async () => {
    const headers = falWebhookHeaders('req-1', BODY);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1));
    expect(await verifierAt(Date.now).verifyProviderWebhook('pika', delivery(headers, reserialised))).toEqual(
      {
        ok: false,
        reason: 'bad_signature',
      },
    );
  });

  it('refuses a signature by a key fal did not publish', async () => {
    const headers = falWebhookHeaders('req-1', BODY);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const timestamp = headers['X-Fal-Webhook-Timestamp'] ?? '';
    const forged = sign(null, Buffer.from(`req-1\n${FAL_SIM_USER_ID}\n${timestamp}\nx`), stranger).toString(
      'hex',
    );
    const verdict = await verifierAt(Date.now).verifyProviderWebhook(
      'pika',
      delivery({ ...headers, 'X-Fal-Webhook-Signature': forged }),
    );
    expect(verdict).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signed request id or user id that was swapped', async () => {
    const headers = falWebhookHeaders('req-1', BODY);
    for (const swapped of [
      { ...headers, 'X-Fal-Webhook-Request-Id': 'req-2' },
      { ...headers, 'X-Fal-Webhook-User-Id': 'someone-else' },
    ]) {
      expect(await verifierAt(Date.now).verifyProviderWebhook('pika', delivery(swapped))).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('accepts timestamps within 5 minutes either way and refuses those outside', async () => {
    const signedAt = Date.now();
    const headers = falWebhookHeaders('req-1', BODY, signedAt);
    const atSecond = Math.floor(signedAt / SECOND) * SECOND;
    const check = (nowMs: number) => verifierAt(() => nowMs).verifyProviderWebhook('pika', delivery(headers));
    expect(FAL_WEBHOOK_TOLERANCE_MS).toBe(5 * MINUTE);
    expect(await check(atSecond + FAL_WEBHOOK_TOLERANCE_MS)).toEqual({ ok: true });
    expect(await check(atSecond - FAL_WEBHOOK_TOLERANCE_MS)).toEqual({ ok: true });
    expect(await check(atSecond + FAL_WEBHOOK_TOLERANCE_MS + SECOND)).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(await check(atSecond - FAL_WEBHOOK_TOLERANCE_MS - SECOND)).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  it('refuses deliveries without fal’s headers, or with malformed ones', async () => {
    const headers = falWebhookHeaders('req-1', BODY);
    const verifier = verifierAt(Date.now);
    expect(await verifier.verifyProviderWebhook('pika', delivery({}))).toEqual({
      ok: false,
      reason: 'missing_headers',
    });
    expect(
      await verifier.verifyProviderWebhook(
        'pika',
        delivery({ ...headers, 'X-Fal-Webhook-Timestamp': '12e3' }),
      ),
    ).toEqual({ ok: false, reason: 'bad_timestamp' });
    expect(
      await verifier.verifyProviderWebhook('pika', delivery({ ...headers, 'X-Fal-Webhook-Signature': 'zz' })),
    ).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a fal-signed delivery to a URL we did not sign, and checks only our URL for other providers', async () => {
    const headers = falWebhookHeaders('req-1', BODY);
    const verifier = verifierAt(Date.now);
    expect(await verifier.verifyProviderWebhook('pika', delivery(headers, BODY, 'f'.repeat(32)))).toEqual({
      ok: false,
      reason: 'url_signature',
    });
    const lumaSig = webhookSignature(SECRET, 'luma', JOB);
    expect(
      await verifier.verifyProviderWebhook('luma', { jobId: JOB, sig: lumaSig, headers: {}, rawBody: BODY }),
    ).toEqual({
      ok: true,
    });
    expect(
      await verifier.verifyProviderWebhook('luma', {
        jobId: JOB,
        sig: webhookSignature(SECRET, 'veo', JOB),
        headers: {},
        rawBody: BODY,
      }),
    ).toEqual({ ok: false, reason: 'url_signature' });
  });
});

describe('fal JWKS cache', () => {
  it('fetches the keys once for many deliveries, and again once they are older than the cache time', async () => {
    let now = Date.now();
    const { state, fetchImpl } = jwksServer();
    const verifier = verifierAt(() => now, fetchImpl);
    const deliveries = Array.from({ length: 5 }, () => delivery(falWebhookHeaders('req-1', BODY, now)));
    const verdicts = await Promise.all(deliveries.map((d) => verifier.verifyProviderWebhook('pika', d)));
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(state.fetches).toBe(1);
    now += FAL_JWKS_TTL_MS + SECOND;
    expect(
      await verifier.verifyProviderWebhook('pika', delivery(falWebhookHeaders('req-1', BODY, now))),
    ).toEqual({ ok: true });
    expect(state.fetches).toBe(2);
  });

  it('looks again for a rotated key, at most once per refresh interval', async () => {
    let now = Date.now();
    const { state, fetchImpl } = jwksServer();
    const jwks = createJwksCache({ url: sim.falJwksUrl, fetch: fetchImpl, now: () => now });
    const first = await jwks.keys();
    expect(first.length).toBe(1);
    // Too soon after the last fetch: the cache answers.
    await jwks.keys({ refresh: true });
    expect(state.fetches).toBe(1);
    now += FAL_JWKS_MIN_REFRESH_MS;
    await jwks.keys({ refresh: true });
    expect(state.fetches).toBe(2);
  });

  it('keeps the keys it has while the JWKS endpoint is down, and says so when it has none', async () => {
    let now = Date.now();
    const { state, fetchImpl } = jwksServer();
    const jwks = createJwksCache({ url: sim.falJwksUrl, fetch: fetchImpl, now: () => now });
    const held = await jwks.keys();
    state.down = true;
    now += FAL_JWKS_TTL_MS + SECOND;
    expect(await jwks.keys()).toBe(held);

    const empty = jwksServer();
    empty.state.down = true;
    const verifier = verifierAt(Date.now, empty.fetchImpl);
    expect(await verifier.verifyProviderWebhook('pika', delivery(falWebhookHeaders('req-1', BODY)))).toEqual({
      ok: false,
      reason: 'no_keys',
    });
  });

  it('uses only Ed25519 keys from the document', async () => {
    const { state, fetchImpl } = jwksServer();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    state.document = { keys: [rsa] };
    const jwks = createJwksCache({ url: sim.falJwksUrl, fetch: fetchImpl });
    await expect(jwks.keys()).rejects.toThrow(/no Ed25519 key/);
  });
});
