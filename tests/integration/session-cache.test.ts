// The sessions an API process holds for the reads a page repeats (api/auth/session-cache.ts):
// a held session is used, and every way a session ends (sign-out here, a change by another
// process, a read racing a change, a lost listening connection) is seen by the next read.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { wrap } from '@mikro-orm/postgresql';
import pg from 'pg';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionCache, type SessionCacheRead } from '../../api/auth/session-cache.ts';
import { Session, User } from '../../db/entities/index.ts';
import { createLogger } from '../../platform/logger.ts';
import { createNotifications } from '../../platform/notifications.ts';
import { waitUntil } from '../../scripts/stack/process.ts';
import { SESSION_CHANNEL, sessionRows } from '../../stores/accounts.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { signedIn } from '../support/accounts.ts';
import type { TestClient } from '../support/client.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ workers: false });
});
afterAll(async () => {
  await platform?.stop();
});

// node-postgres warns once when a query is sent while another runs on the same client,
// which its next major version refuses; every listener must take its turn.
const overlappingQueries: string[] = [];
process.on('warning', (w) => {
  if (/already executing a query/.test(w.message)) overlappingQueries.push(w.message);
});

const em = () => platform.clients.orm.em.fork();
const logger = createLogger({ level: 'silent', name: 'session-cache-test' });

/** The API's session cache reads so far, by how each found its session (from /metrics, on loopback). */
async function cacheReads(): Promise<Record<SessionCacheRead, number>> {
  const text = await (await fetch(`${platform.api.url}/metrics`)).text();
  const count = (result: SessionCacheRead) =>
    Number(
      new RegExp(`clipwise_session_cache_reads_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
    );
  return { hit: count('hit'), miss: count('miss'), bypass: count('bypass') };
}

/** Reads the job list until the API answers it from a held session. */
async function heldBy(client: TestClient): Promise<void> {
  await waitUntil(
    'a job list read answered from a held session',
    async () => {
      const before = (await cacheReads()).hit;
      expect((await client.get('/api/jobs')).status).toBe(200);
      return (await cacheReads()).hit > before;
    },
    { timeoutMs: 10_000, intervalMs: 20 },
  );
}

describe('sessions held for repeated reads', () => {
  it('answers a repeated job read from a held session, and forgets it at sign-out before answering it', async () => {
    for (let round = 0; round < 5; round++) {
      const { client } = await signedIn(platform);
      await heldBy(client);
      expect((await client.post('/api/auth/sign-out')).status).toBe(200);
      expect((await client.get('/api/jobs')).status).toBe(401);
      expect((await client.get(`/api/jobs/${randomUUID()}`)).status).toBe(401);
    }
  });

  it('forgets a session ended from another device or process', async () => {
    const laptop = await signedIn(platform);
    const phone = await signedIn(platform);
    await heldBy(laptop.client);
    // Another process: a direct change in the database, announced by the table's trigger.
    await em().nativeUpdate(Session, { user: laptop.user.id }, { revokedAt: new Date() });
    await waitUntil(
      'the revoked session to be refused',
      async () => (await laptop.client.get('/api/jobs')).status === 401,
      {
        timeoutMs: 10_000,
        intervalMs: 20,
      },
    );

    await heldBy(phone.client);
    await em().nativeUpdate(User, { id: phone.user.id }, { status: 'deleted' });
    await waitUntil(
      'the deleted account to be refused',
      async () => (await phone.client.get('/api/jobs')).status === 401,
      {
        timeoutMs: 10_000,
        intervalMs: 20,
      },
    );
  });
});

describe('the session cache on its own', () => {
  /** A cache with its own listening connection, named so the test can find and cut it. */
  async function ownCache() {
    const applicationName = `session-cache-test-${randomUUID().slice(0, 8)}`;
    const url = new URL(platform.config.database.url);
    url.searchParams.set('application_name', applicationName);
    const notifications = createNotifications(url.toString(), logger);
    const registry = new Registry();
    const cache = new SessionCache(notifications, logger, registry);
    const reads = async () => {
      const [metric] = (await registry.getMetricsAsJSON()).filter(
        (m) => m.name === 'clipwise_session_cache_reads_total',
      );
      const count = (result: string) =>
        Number((metric?.values ?? []).find((v) => v.labels.result === result)?.value ?? 0);
      return { hit: count('hit'), miss: count('miss'), bypass: count('bypass') };
    };
    /** Finds the session and says how: held, read and kept, or read past the cache. */
    const find = async (token: string) => {
      const before = await reads();
      const found = await cache.find(em(), token);
      const after = await reads();
      const how = (['hit', 'miss', 'bypass'] as const).find((r) => after[r] > before[r])!;
      return { found, how };
    };
    const listening = () =>
      waitUntil('the cache to listen', async () => (await find(token0)).how !== 'bypass', {
        timeoutMs: 10_000,
        intervalMs: 20,
      });
    let token0 = '';
    return {
      cache,
      find,
      applicationName,
      close: () => notifications.close(),
      async start(token: string) {
        token0 = token;
        await listening();
      },
      listening,
    };
  }

  it('does not keep a row read while a change to its user was announced', async () => {
    const { user, client } = await signedIn(platform);
    const token = client.cookies.get('cw_session')!;
    const own = await ownCache();
    const other = new pg.Client({ connectionString: platform.config.database.url });
    await other.connect();
    const announce = async () => {
      const heard = own.cache.heard;
      await other.query('select pg_notify($1, $2)', [SESSION_CHANNEL, user.id]);
      await waitUntil('the announcement to be heard', async () => own.cache.heard > heard, {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
    };
    const blocker = new pg.Client({ connectionString: platform.config.database.url });
    await blocker.connect();
    try {
      await own.start(token);
      expect((await own.find(token)).how).toBe('hit');
      await announce();
      expect(own.cache.size).toBe(0);

      // The read's query waits on a lock while an announcement for its user is heard:
      // the row it then reads must not be kept.
      await blocker.query('begin');
      await blocker.query('lock table sessions in access exclusive mode');
      const racing = own.find(token);
      await announce();
      await blocker.query('rollback');
      const raced = await racing;
      expect(raced.how).toBe('miss');
      expect(raced.found?.user.id).toBe(user.id);
      expect(own.cache.size).toBe(0);
      expect((await own.find(token)).how).toBe('miss');
      expect((await own.find(token)).how).toBe('hit');
    } finally {
      await blocker.query('rollback').catch(() => {});
      await blocker.end().catch(() => {});
      await other.end().catch(() => {});
      await own.close();
    }
  });

  it('reads past the cache from a change through this process until every announcement before its answer is heard', async () => {
    const { user, client } = await signedIn(platform);
    const token = client.cookies.get('cw_session')!;
    const own = await ownCache();
    try {
      await own.start(token);
      expect((await own.find(token)).how).toBe('hit');
      // A sign-out as the API runs it: the request starts, the session is revoked, the answer goes.
      const res = new EventEmitter();
      own.cache.watchChange({ method: 'POST' } as Request, res as Response);
      expect((await own.find(token)).how).toBe('bypass');
      await em().nativeUpdate(Session, { user: user.id }, { revokedAt: new Date() });
      const during = await own.find(token);
      expect(during).toEqual({ how: 'bypass', found: null });
      res.emit('finish');
      await waitUntil('the change to be caught up', async () => (await own.find(token)).how !== 'bypass', {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      expect((await own.find(token)).found).toBeNull();
      // A read (GET) is no change.
      own.cache.watchChange({ method: 'GET' } as Request, new EventEmitter() as Response);
      expect((await own.find(token)).how).toBe('miss');
    } finally {
      await own.close();
    }
  });

  it('announces many changes at once on its one connection, each heard, one query at a time', async () => {
    const { client } = await signedIn(platform);
    const token = client.cookies.get('cw_session')!;
    const own = await ownCache();
    try {
      await own.start(token);
      const changes = Array.from({ length: 40 }, () => {
        const res = new EventEmitter() as Response;
        own.cache.watchChange({ method: 'POST' } as Request, res);
        return res;
      });
      for (const res of changes) res.emit('finish');
      expect((await own.find(token)).how).toBe('bypass');
      // Each change's own notice came back: nothing is waited on any more.
      await waitUntil('the cache to hold again', async () => (await own.find(token)).how !== 'bypass', {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(overlappingQueries).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('keeps a held session apart from the request that read it, so a request is not held with it', async () => {
    const [first, second] = [await signedIn(platform), await signedIn(platform)];
    const token = second.client.cookies.get('cw_session')!;
    const own = await ownCache();
    try {
      await own.start(first.client.cookies.get('cw_session')!);
      const requestEm = em();
      const read = await own.cache.find(requestEm, token);
      const held = await own.cache.find(em(), token);
      expect(held!.user).toBe(read!.user);
      for (const entity of [read!.user, read!.session]) {
        expect(wrap(entity, true).__em).toBeDefined();
        expect(wrap(entity, true).__em).not.toBe(requestEm);
      }
    } finally {
      await own.close();
    }
  });

  it('reads past the cache from a lost listening connection until it listens again, then holds anew', async () => {
    const { user, client } = await signedIn(platform);
    const token = client.cookies.get('cw_session')!;
    const own = await ownCache();
    try {
      await own.start(token);
      const held = await own.find(token);
      expect(held.how).toBe('hit');
      // Shared by every read that finds it, so nobody may change it.
      expect(() => Object.assign(held.found!.user, { role: 'admin' })).toThrow(TypeError);
      expect(() => Object.assign(held.found!.session, { revokedAt: new Date() })).toThrow(TypeError);
      expect((await own.find(token)).found?.user.role).toBe(user.role);

      await em()
        .getConnection()
        .execute(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?`, [
          own.applicationName,
        ]);
      // Whatever it held is dropped at the loss; from then every read goes to the database.
      await waitUntil('the loss to be noticed', async () => own.cache.size === 0, {
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      await em().nativeUpdate(Session, { user: user.id }, { revokedAt: new Date() });
      const afterRevoke = await own.find(token);
      expect(afterRevoke.found).toBeNull();

      // Listening again: a session read now is held again.
      await em().nativeUpdate(Session, { user: user.id }, { revokedAt: null });
      await own.listening();
      expect((await own.find(token)).how).toBe('hit');
      expect(await sessionRows(em(), sha256Hex(token))).not.toBeNull();
    } finally {
      await own.close();
    }
  });
});
