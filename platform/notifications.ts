// PostgreSQL LISTEN/NOTIFY for live views: one connection per process, opened on the
// first subscription, that hears which row changed (a trigger announces the row's id on
// its table's channel) and tells the subscribers waiting for that id. Every API process
// listens for itself, so any of them can serve any browser's live view. A lost
// connection (a database restart, a network cut) is reopened with a growing delay until
// it is back, however long that takes; then every subscriber is told to read again,
// since notices sent meanwhile were missed.
import pg from 'pg';
import { DATABASE_KEEPALIVE_IDLE_MS } from '../domain/database.ts';
import type { Logger } from './logger.ts';

type Listener = () => void;

/** Hears everything announced on a channel, and when the connection may have missed some. */
export interface ChannelWatcher {
  notice(payload: string): void;
  /** The connection is lost: what is announced from now on is missed until `reopened`. */
  lost(): void;
  /** Listening again (whatever was announced while the connection was down was missed). */
  reopened(): void;
}

export interface Notifications {
  /** Calls `listener` whenever `id` is announced on `channel`; returns the unsubscribe. */
  subscribe(channel: string, id: string, listener: Listener): Promise<() => void>;
  /** Hands `watcher` every payload announced on `channel`, once listening; returns the unsubscribe. */
  watch(channel: string, watcher: ChannelWatcher): Promise<() => void>;
  /**
   * Announces `payload` on `channel` from the listening connection itself. PostgreSQL
   * delivers notices in the order their transactions committed, so when this one comes
   * back every notice committed before it has been heard.
   */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** Delay before the first attempt to reopen a lost connection; it doubles up to the maximum. */
export const RECONNECT_DELAY_MS = { initial: 250, max: 5_000 } as const;

/** Who waits for which row, by channel. */
class Subscribers {
  private readonly byChannel = new Map<string, Map<string, Set<Listener>>>();
  private readonly watchers = new Map<string, Set<ChannelWatcher>>();

  get channels(): string[] {
    return [...new Set([...this.byChannel.keys(), ...this.watchers.keys()])];
  }

  get empty(): boolean {
    return this.byChannel.size === 0 && this.watchers.size === 0;
  }

  has(channel: string): boolean {
    return this.byChannel.has(channel) || this.watchers.has(channel);
  }

  /** Adds a channel watcher; `newChannel` when nobody listened on the channel before. */
  watch(channel: string, watcher: ChannelWatcher): { newChannel: boolean; remove: () => void } {
    const newChannel = !this.has(channel);
    let set = this.watchers.get(channel);
    if (!set) this.watchers.set(channel, (set = new Set()));
    set.add(watcher);
    const watchers = set;
    return {
      newChannel,
      remove: () => {
        watchers.delete(watcher);
        if (watchers.size === 0 && this.watchers.get(channel) === watchers) this.watchers.delete(channel);
      },
    };
  }

  lost(): void {
    for (const set of this.watchers.values()) for (const w of set) w.lost();
  }

  /** Adds a listener; `newChannel` when nobody listened on the channel before. */
  add(channel: string, id: string, listener: Listener): { newChannel: boolean; remove: () => void } {
    const newChannel = !this.has(channel);
    let byId = this.byChannel.get(channel);
    if (!byId) this.byChannel.set(channel, (byId = new Map()));
    let set = byId.get(id);
    if (!set) byId.set(id, (set = new Set()));
    set.add(listener);
    const ids = byId;
    const listeners = set;
    return {
      newChannel,
      remove: () => {
        listeners.delete(listener);
        if (listeners.size === 0) ids.delete(id);
      },
    };
  }

  /** Forgets a channel nobody waits on any more (its LISTEN may never have been sent). */
  dropIfUnused(channel: string): void {
    if (this.byChannel.get(channel)?.size === 0) this.byChannel.delete(channel);
  }

  announce(channel: string, id: string): void {
    for (const watcher of this.watchers.get(channel) ?? []) watcher.notice(id);
    for (const listener of this.byChannel.get(channel)?.get(id) ?? []) listener();
  }

  everyone(): void {
    for (const set of this.watchers.values()) for (const w of set) w.reopened();
    for (const byId of this.byChannel.values()) for (const set of byId.values()) for (const l of set) l();
  }
}

/** Runs what it is given one after another, each once the one before has settled. */
function oneAtATime() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(run: () => Promise<T>): Promise<T> => {
    const next = last.then(run);
    last = next.catch(() => {});
    return next;
  };
}

/**
 * The LISTEN connection is idle whenever nothing changes: probed, one dropped on the way
 * (a NAT that forgot the flow) ends and is reopened instead of going deaf.
 */
const PROBED_WHEN_IDLE = { keepAlive: true, keepAliveInitialDelayMillis: DATABASE_KEEPALIVE_IDLE_MS };

/** The one LISTEN connection: opened on demand, reopened after a loss until it is back. */
function listenConnection(databaseUrl: string, logger: Pick<Logger, 'warn' | 'info'>, subs: Subscribers) {
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let reconnecting = false;
  let closed = false;

  function reconnect(delay: number = RECONNECT_DELAY_MS.initial): void {
    // Nobody listens: the next subscription connects.
    reconnecting = !closed && !subs.empty;
    if (!reconnecting) return;
    setTimeout(() => {
      if (closed) return;
      ensure().then(
        () => {
          reconnecting = false;
          logger.info('notifications connection reopened');
          subs.everyone();
        },
        (err: Error) => {
          logger.warn({ err: err.message, retryInMs: delay }, 'notifications connection still down');
          reconnect(Math.min(delay * 2, RECONNECT_DELAY_MS.max));
        },
      );
    }, delay).unref();
  }

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: databaseUrl, ...PROBED_WHEN_IDLE });
    let lost = false;
    const onLost = (why: string) => {
      if (lost) return;
      lost = true;
      if (client === c) client = null;
      c.end().catch(() => {});
      if (closed) return;
      subs.lost();
      logger.warn({ err: why }, 'notifications connection lost; reconnecting');
      if (!reconnecting) reconnect();
    };
    c.on('notification', (msg) => {
      if (msg.payload) subs.announce(msg.channel, msg.payload);
    });
    // A server that shuts down may end the connection with or without an error first.
    c.on('error', (err) => onLost(err.message));
    c.on('end', () => onLost('connection ended'));
    try {
      await c.connect();
      for (const channel of subs.channels) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (err) {
      lost = true;
      await c.end().catch(() => {});
      throw err;
    }
    return c;
  }

  async function ensure(): Promise<pg.Client> {
    if (client) return client;
    connecting ??= connect().then(
      (c) => {
        client = c;
        connecting = null;
        return c;
      },
      (err: unknown) => {
        connecting = null;
        throw err;
      },
    );
    return connecting;
  }

  // One query at a time on the connection: node-postgres queues overlapping ones itself
  // today but deprecates that (pg@9 refuses them), and every change request sends a notice.
  const inTurn = oneAtATime();
  const query = (text: string, values?: unknown[]) =>
    inTurn(async () => (await ensure()).query(text, values));

  return {
    ensure,
    query,
    async close() {
      closed = true;
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

export function createNotifications(
  databaseUrl: string,
  logger: Pick<Logger, 'warn' | 'info'>,
): Notifications {
  const subs = new Subscribers();
  const connection = listenConnection(databaseUrl, logger, subs);
  return {
    async subscribe(channel, id, listener) {
      const { newChannel, remove } = subs.add(channel, id, listener);
      try {
        if (newChannel) await connection.query(`listen ${pg.escapeIdentifier(channel)}`);
        else await connection.ensure();
      } catch (err) {
        // The caller gets no unsubscribe: leave nothing behind.
        remove();
        subs.dropIfUnused(channel);
        throw err;
      }
      return remove;
    },
    async watch(channel, watcher) {
      const { newChannel, remove } = subs.watch(channel, watcher);
      try {
        if (newChannel) await connection.query(`listen ${pg.escapeIdentifier(channel)}`);
        else await connection.ensure();
      } catch (err) {
        remove();
        throw err;
      }
      return remove;
    },
    async notify(channel, payload) {
      await connection.query('select pg_notify($1, $2)', [channel, payload]);
    },
    close: () => connection.close(),
  };
}
