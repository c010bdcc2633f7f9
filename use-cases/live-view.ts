// A live view pushed to a page: the view is read now and again after every change
// PostgreSQL announces for the rows it shows (platform/notifications.ts), and sent only
// when it differs from the last one sent, until it ends or the page goes away. Jobs and
// script projects are watched this way.
import type { Notifications } from '../platform/notifications.ts';

export interface LiveView<T> {
  /** Reads the current view from PostgreSQL. */
  read: () => Promise<T>;
  /** True once the view will not change again (it is sent, then the watch ends). */
  ended: (view: T) => boolean;
  /** The rows (channel and key) a view shows; new ones are followed as they appear. */
  rows: (view: T) => readonly (readonly [channel: string, key: string])[];
}

/** Sends the view now and after each change, until it ends or `signal` aborts. */
export async function streamLiveView<T>(
  notifications: Notifications,
  live: LiveView<T>,
  send: (view: T) => void,
  signal: AbortSignal,
): Promise<void> {
  let wake: () => void = () => {};
  let changed = true;
  const listener = () => {
    changed = true;
    wake();
  };
  const subscriptions = new Map<string, () => void>();
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  try {
    let last = '';
    while (!signal.aborted) {
      if (!changed) {
        // A change announced while the last view was read is already in `changed`.
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
        continue;
      }
      changed = false;
      const view = await live.read();
      for (const [channel, key] of live.rows(view)) {
        const name = `${channel}:${key}`;
        if (subscriptions.has(name)) continue;
        subscriptions.set(name, await notifications.subscribe(channel, key, listener));
        // A change between the read and the subscription would be missed: read again.
        changed = true;
      }
      const text = JSON.stringify(view);
      if (text !== last) send(view);
      last = text;
      if (live.ended(view)) return;
    }
  } finally {
    for (const unsubscribe of subscriptions.values()) unsubscribe();
  }
}
