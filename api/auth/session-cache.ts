// Sessions an API process holds for the reads a page repeats (an open job page asks for
// its status again and again), so such a read costs one query, its own, not two. A route
// asks for it by name (`sessionCache: true` in its declaration); every other request
// reads its session from PostgreSQL as before.
//
// What keeps a held session exact:
// - PostgreSQL announces every change to a session or an account (a sign-out, a
//   revocation, a role, a restriction, a deletion) on SESSION_CHANNEL with the user's id,
//   from triggers, whichever process made it; hearing it forgets that user's sessions.
// - Nothing is held unless the announcements are heard: until this process listens, and
//   from a lost connection until it listens again, every read goes to PostgreSQL and what
//   was held is dropped.
// - A read fills the cache only when nothing was announced while it ran, so a row read
//   before a change cannot be kept after the change was heard.
// - A change made through this process (any request but GET, HEAD and OPTIONS) is
//   followed, once answered, by a notice of our own; PostgreSQL delivers notices in the
//   order their transactions committed, so when ours comes back every announcement of
//   that change has been heard. Until then reads bypass the cache: the person who signs
//   out and reads again at once is refused.
// - After SESSION_CACHE_TTL_MS a held session is read again in any case, which bounds a
//   connection lost without a sign.
// Time limits (idle, absolute) are checked on every read, held or not.
import { randomUUID } from 'node:crypto';
import { wrap, type EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import { SESSION_CACHE_MAX_ENTRIES, SESSION_CACHE_TTL_MS } from '../../domain/accounts.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Notifications } from '../../platform/notifications.ts';
import {
  SESSION_CHANNEL,
  isLive,
  liveSessionOf,
  sessionOf,
  sessionRows,
  type LiveSession,
} from '../../stores/accounts.ts';

/** How a read found its session: held, read and kept, or read past the cache. */
export type SessionCacheRead = 'hit' | 'miss' | 'bypass';

interface Held {
  userId: string;
  /** Mapped once and frozen: every read that finds it shares it (see `find`). */
  found: LiveSession;
  until: number;
}

/** After a failed start, reads wait this long before the cache tries to listen again. */
const RESTART_AFTER_MS = 5_000;
const SYNC_PREFIX = 'sync:';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export class SessionCache {
  /** By token hash; a Map keeps insertion order, so the first entry is the oldest. */
  private readonly held = new Map<string, Held>();
  private readonly byUser = new Map<string, Set<string>>();
  /** Moves on every announcement, connection change and change through this process. */
  private epoch = 0;
  private listening = false;
  private starting: Promise<void> | null = null;
  private retryAt = 0;
  /** Changes through this process whose announcements may not be heard yet. */
  private changes = 0;
  private readonly syncs = new Map<string, () => void>();
  private readonly reads: Counter<'result'>;
  private readonly announcements: Counter;
  private announced = 0;
  private readonly notifications: Notifications;
  private readonly logger: Pick<Logger, 'warn'>;

  constructor(notifications: Notifications, logger: Pick<Logger, 'warn'>, registry: Registry) {
    this.notifications = notifications;
    this.logger = logger;
    this.reads = new Counter({
      name: 'clipwise_session_cache_reads_total',
      help: 'Session reads of routes that may answer from a held session, by how the session was found',
      labelNames: ['result'] as const,
      registers: [registry],
    });
    this.announcements = new Counter({
      name: 'clipwise_session_cache_announcements_total',
      help: "Changes to sessions or accounts this process heard announced (each forgets that user's held sessions)",
      registers: [registry],
    });
  }

  /** The live session for a token; `null` when it is unknown, revoked, idle too long or past its end. */
  async find(em: EntityManager, token: string): Promise<LiveSession | null> {
    const tokenHash = sha256Hex(token);
    this.start();
    if (!this.listening || this.changes > 0) {
      this.reads.inc({ result: 'bypass' });
      const rows = await sessionRows(em, tokenHash);
      return rows ? liveSessionOf(em, rows) : null;
    }
    const now = Date.now();
    const held = this.held.get(tokenHash);
    if (held && held.until > now) {
      this.reads.inc({ result: 'hit' });
      return isLive(held.found, now) ? held.found : null;
    }
    this.reads.inc({ result: 'miss' });
    if (held) this.drop(tokenHash, held.userId);
    const epoch = this.epoch;
    const rows = await sessionRows(em, tokenHash);
    if (!rows) return null;
    // Mapping the two rows into entities was a fifth of a held read's CPU, so a held
    // session is mapped once and its entities shared by the reads that find it. They are
    // frozen: the routes that opt in only read their caller (its id, role, status and
    // policy), and one that tried to change it would fail, not leak into other requests.
    // They are mapped in an entity manager of their own: one mapped by the request's would
    // keep that request's whole identity map (its job, its rows) alive as long as it is held.
    const found = sessionOf(em.fork(), rows);
    if (epoch === this.epoch && this.listening && this.changes === 0) {
      this.keep(tokenHash, Object.freeze({ session: frozen(found.session), user: frozen(found.user) }));
    }
    return isLive(found) ? found : null;
  }

  /**
   * Marks a request that may change sessions or accounts: until its answer has gone and
   * every announcement committed before then is heard, reads bypass the cache.
   */
  watchChange(req: Request, res: Response): void {
    if (SAFE_METHODS.has(req.method)) return;
    this.changes += 1;
    this.epoch += 1;
    let done = false;
    const settle = () => {
      if (done) return;
      done = true;
      this.caughtUp().finally(() => {
        this.changes -= 1;
        this.epoch += 1;
      });
    };
    res.once('finish', settle);
    res.once('close', settle);
  }

  /** Sessions held now. */
  get size(): number {
    return this.held.size;
  }

  /** Announcements heard so far. */
  get heard(): number {
    return this.announced;
  }

  /** Resolves once every announcement committed before now has been heard (or listening stopped). */
  private async caughtUp(): Promise<void> {
    if (!this.listening) return;
    const nonce = `${SYNC_PREFIX}${randomUUID()}`;
    const heard = new Promise<void>((resolve) => this.syncs.set(nonce, resolve));
    try {
      await this.notifications.notify(SESSION_CHANNEL, nonce);
      await heard;
    } catch (err) {
      // Without the notice, nothing held can be trusted.
      this.syncs.delete(nonce);
      this.forgetAll();
      this.logger.warn({ err: (err as Error).message }, 'session cache could not catch up; emptied');
    }
  }

  private start(): void {
    if (this.starting || Date.now() < this.retryAt) return;
    this.starting = this.notifications
      .watch(SESSION_CHANNEL, {
        notice: (payload) => this.notice(payload),
        lost: () => this.stop(),
        reopened: () => {
          this.forgetAll();
          this.listening = true;
        },
      })
      .then(
        () => {
          this.forgetAll();
          this.listening = true;
        },
        (err: Error) => {
          this.logger.warn({ err: err.message }, 'session cache not listening; reads go to the database');
          this.retryAt = Date.now() + RESTART_AFTER_MS;
          this.starting = null;
        },
      );
  }

  private notice(payload: string): void {
    if (payload.startsWith(SYNC_PREFIX)) {
      const heard = this.syncs.get(payload);
      this.syncs.delete(payload);
      heard?.();
      return;
    }
    this.epoch += 1;
    this.announced += 1;
    this.announcements.inc();
    for (const tokenHash of this.byUser.get(payload) ?? []) this.held.delete(tokenHash);
    this.byUser.delete(payload);
  }

  private stop(): void {
    this.listening = false;
    this.forgetAll();
    // Notices of our own will not come back on the lost connection.
    for (const heard of this.syncs.values()) heard();
    this.syncs.clear();
  }

  private forgetAll(): void {
    this.epoch += 1;
    this.held.clear();
    this.byUser.clear();
  }

  private keep(tokenHash: string, found: LiveSession): void {
    const userId = found.user.id;
    if (this.held.size >= SESSION_CACHE_MAX_ENTRIES) {
      const [oldestHash, oldest] = this.held.entries().next().value!;
      this.drop(oldestHash, oldest.userId);
    }
    this.held.set(tokenHash, { userId, found, until: Date.now() + SESSION_CACHE_TTL_MS });
    let tokens = this.byUser.get(userId);
    if (!tokens) this.byUser.set(userId, (tokens = new Set()));
    tokens.add(tokenHash);
  }

  private drop(tokenHash: string, userId: string): void {
    this.held.delete(tokenHash);
    const tokens = this.byUser.get(userId);
    tokens?.delete(tokenHash);
    if (tokens?.size === 0) this.byUser.delete(userId);
  }
}

/**
 * An entity no code can change: MikroORM keeps its values in the entity's own data
 * object behind accessors, so freezing the entity alone would leave its setters working.
 */
function frozen<T extends object>(entity: T): T {
  Object.freeze(wrap(entity, true).__data);
  return Object.freeze(entity);
}
