// PostgreSQL LISTEN/NOTIFY for live views: one connection per process, opened on the
// first subscription, that hears which row changed (a trigger announces the row's id on
// its table's channel) and tells the subscribers waiting for that id. Every API process
// listens for itself, so any of them can serve any browser's live view. A lost
// connection is reopened; subscribers are told to read again, since a notice may have
// been missed meanwhile.
import pg from 'pg';
import type { Logger } from './logger.ts';

type Listener = () => void;

export interface Notifications {
  /** Calls `listener` whenever `id` is announced on `channel`; returns the unsubscribe. */
  subscribe(channel: string, id: string, listener: Listener): Promise<() => void>;
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1000;

export function createNotifications(databaseUrl: string, logger: Pick<Logger, 'warn'>): Notifications {
  const listeners = new Map<string, Map<string, Set<Listener>>>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  let closed = false;

  const everyone = () => {
    for (const byId of listeners.values()) for (const set of byId.values()) for (const l of set) l();
  };

  async function connect(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: databaseUrl });
    c.on('notification', (msg) => {
      const set = msg.payload ? listeners.get(msg.channel)?.get(msg.payload) : undefined;
      for (const listener of set ?? []) listener();
    });
    c.on('error', (err) => {
      logger.warn({ err: err.message }, 'notifications connection lost; reconnecting');
      if (client === c) client = null;
      c.end().catch(() => {});
      if (!closed) setTimeout(() => void ensure().then(everyone, () => {}), RECONNECT_DELAY_MS).unref();
    });
    await c.connect();
    for (const channel of listeners.keys()) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
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

  return {
    async subscribe(channel, id, listener) {
      let byId = listeners.get(channel);
      const newChannel = !byId;
      if (!byId) listeners.set(channel, (byId = new Map()));
      let set = byId.get(id);
      if (!set) byId.set(id, (set = new Set()));
      set.add(listener);
      const c = await ensure();
      if (newChannel) await c.query(`listen ${pg.escapeIdentifier(channel)}`);
      return () => {
        set.delete(listener);
        if (set.size === 0) byId.delete(id);
      };
    },
    async close() {
      closed = true;
      const c = client ?? (connecting ? await connecting.catch(() => null) : null);
      client = null;
      await c?.end().catch(() => {});
    },
  };
}
