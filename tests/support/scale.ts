// Helpers of the scale-out test (tests/integration/scale-out.test.ts): the provider
// settings that point every adapter at the simulator, stored objects with a chosen
// delete-at, the codes of rights requests read from a stack's own mail catcher, a
// client that retries what a fault cut short, and work spread over a few lanes.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Asset } from '../../db/entities/index.ts';
import { assetObjectKey } from '../../domain/retention.ts';
import { startRetention } from '../../clients/retention.ts';
import type { Clients } from '../../platform/clients.ts';
import { SIMULATOR_API_KEY, type ProviderSimulator } from './simulator/index.ts';
import type { TestClient } from './client.ts';

/** Every provider's key and base URL pointing at the simulator (fal's signing keys too). */
export function simulatorEnv(simulator: ProviderSimulator): Record<string, string> {
  return {
    RUNWAY_API_KEY: SIMULATOR_API_KEY,
    RUNWAY_BASE_URL: simulator.url,
    LUMA_API_KEY: SIMULATOR_API_KEY,
    LUMA_BASE_URL: simulator.url,
    FAL_KEY: SIMULATOR_API_KEY,
    FAL_QUEUE_URL: simulator.url,
    FAL_WEBHOOK_JWKS_URL: simulator.falJwksUrl,
    ARK_API_KEY: SIMULATOR_API_KEY,
    ARK_BASE_URL: simulator.url,
    EVOLINK_API_KEY: SIMULATOR_API_KEY,
    EVOLINK_BASE_URL: simulator.url,
  };
}

/** An object's asset row as the platform stores an output, with a chosen delete-at. */
function dueAsset(userId: string, deleteAt: Date) {
  const id = randomUUID();
  const now = new Date();
  return {
    id,
    user: userId,
    kind: 'output' as const,
    status: 'stored' as const,
    objectKey: assetObjectKey(userId, 'output', id),
    contentType: 'video/mp4',
    sizeBytes: 0,
    createdAt: now,
    storedAt: now,
    deleteAt,
  };
}

/**
 * Objects, their asset rows and their retention workflows, the way the platform stores
 * outputs (a few bytes each: the timers are what is tested), in batches: each batch's
 * objects uploaded and workflows started `lanes` at a time, its rows in one insert.
 */
export async function storeDueAssets(
  clients: Clients,
  plan: readonly { userId: string; deleteAt: Date }[],
  options: { lanes?: number; batch?: number } = {},
): Promise<{ id: string; objectKey: string }[]> {
  const { lanes = 12, batch = 100 } = options;
  const stored: { id: string; objectKey: string }[] = [];
  for (let from = 0; from < plan.length; from += batch) {
    const rows = plan.slice(from, from + batch).map((p) => dueAsset(p.userId, p.deleteAt));
    await inLanes(rows, lanes, async (row) => {
      const body = Buffer.from(`scale-out ${row.id}`);
      row.sizeBytes = body.length;
      await clients.store.client.send(
        new PutObjectCommand({
          Bucket: clients.store.bucket,
          Key: row.objectKey,
          Body: body,
          ContentType: row.contentType,
          ServerSideEncryption: clients.store.serverSideEncryption,
        }),
      );
    });
    await clients.orm.em.fork().insertMany(Asset, rows);
    await inLanes(rows, lanes, (row) => startRetention(clients.temporal.client, row));
    stored.push(...rows.map((r) => ({ id: r.id, objectKey: r.objectKey })));
  }
  return stored;
}

/** Every key in the bucket (all pages), and the unfinished multipart uploads. */
export async function listBucket(clients: Clients): Promise<{ keys: string[]; multipart: number }> {
  const { store } = clients;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.client.send(
      new ListObjectsV2Command({ Bucket: store.bucket, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const uploads = await store.client.send(new ListMultipartUploadsCommand({ Bucket: store.bucket }));
  return { keys, multipart: (uploads.Uploads ?? []).length };
}

/** The six-digit code of the newest "confirm your privacy request" mail to an address. */
export async function rightsRequestCode(
  mailWebUrl: string,
  address: string,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${mailWebUrl}/email`).catch(() => undefined);
    const mails = res?.ok
      ? ((await res.json()) as { subject: string; text: string; to: { address: string }[] }[])
      : [];
    const mail = mails
      .filter((m) => m.to.some((t) => t.address.toLowerCase() === address.toLowerCase()))
      .filter((m) => /confirm your privacy request/i.test(m.subject))
      .at(-1);
    const code = mail ? /^\s+(\d{6})\s*$/m.exec(mail.text)?.[1] : undefined;
    if (code) return code;
    await sleep(200);
  }
  throw new Error(`no rights-request code mailed to ${address}`);
}

/**
 * Sends a request until it gets an answer that is not a server error or a cut
 * connection, as a client does while a process or the database restarts (with the same
 * Idempotency-Key, when the request carries one).
 */
export async function untilAnswered(
  send: () => Promise<Response>,
  options: { timeoutMs?: number; onRetry?: (why: string) => void } = {},
): Promise<Response> {
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (let delay = 200; ; delay = Math.min(delay * 2, 2_000)) {
    const res = await send().catch((err: Error) => err);
    if (res instanceof Response && res.status < 500) return res;
    const why = res instanceof Response ? `HTTP ${res.status}` : res.message;
    if (Date.now() > deadline) throw new Error(`no answer in time: ${why}`);
    options.onRetry?.(why);
    await sleep(delay);
  }
}

/** Runs `fn` over `items` with at most `lanes` at a time; answers in the items' order. */
export async function inLanes<T, R>(
  items: readonly T[],
  lanes: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index]!, index);
      }
    }),
  );
  return results;
}

/**
 * Polls each api's /readyz until stopped, and answers how long each was not ready in
 * all (a fault's outage as the load balancer sees it), in seconds.
 */
export function watchReadiness(
  apis: readonly { name: string; url: string }[],
): () => Promise<Record<string, number>> {
  const notReadyMs: Record<string, number> = Object.fromEntries(apis.map((a) => [a.name, 0]));
  let running = true;
  const loops = apis.map(async (api) => {
    while (running) {
      const started = performance.now();
      const ok = await fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.ok,
        () => false,
      );
      await sleep(250);
      if (!ok) notReadyMs[api.name]! += performance.now() - started;
    }
  });
  return async () => {
    running = false;
    await Promise.all(loops);
    return Object.fromEntries(
      Object.entries(notReadyMs).map(([name, ms]) => [name, Math.round(ms / 100) / 10]),
    );
  };
}

/** A copy of a signed-in client talking to another api (same cookies, address and CSRF token). */
export function sameBrowser(client: TestClient, makeClient: (ip: string) => TestClient): TestClient {
  const other = makeClient(client.ip);
  for (const [name, value] of client.cookies) other.cookies.set(name, value);
  other.csrfToken = client.csrfToken;
  return other;
}
