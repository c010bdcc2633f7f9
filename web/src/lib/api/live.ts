// Follows something running from the browser: server-sent events from a same-origin
// stream (one `progress` event per change, each carrying the whole state, until it ends),
// and plain polling of its read if the stream cannot be kept open. Jobs and script
// projects are both followed this way.
import type { ApiResult } from './client.ts';

const POLL_MS = 2000;
/** Stream errors in a row after which polling takes over. */
const FAILURES_BEFORE_POLLING = 3;

export interface LiveSource<T> {
  /** The same-origin event stream, e.g. `/api/jobs/<id>/events`. */
  events: string;
  /** The plain read, used when the stream cannot be kept open. */
  read: () => Promise<ApiResult<T>>;
  /** True once nothing more will change. */
  ended: (state: T) => boolean;
}

/** Calls `onUpdate` with each new state until it ends; returns a function that stops. */
export function followLive<T>(live: LiveSource<T>, onUpdate: (state: T) => void): () => void {
  let stopped = false;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
  const deliver = (state: T) => {
    if (stopped) return;
    onUpdate(state);
    if (live.ended(state)) stop();
  };
  const poll = async () => {
    if (stopped) return;
    const result = await live.read();
    if (result.ok) deliver(result.data);
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };

  if (typeof EventSource === 'undefined') {
    void poll();
    return stop;
  }
  source = new EventSource(live.events);
  source.addEventListener('progress', (event) => {
    failures = 0;
    try {
      deliver(JSON.parse((event as MessageEvent<string>).data) as T);
    } catch {
      // A malformed event is skipped; the next one carries the whole state again.
    }
  });
  source.addEventListener('error', () => {
    if (stopped) return;
    // The browser reconnects by itself; after a few failures in a row, poll instead.
    failures += 1;
    if (source?.readyState === EventSource.CLOSED || failures >= FAILURES_BEFORE_POLLING) {
      source?.close();
      source = undefined;
      void poll();
    }
  });
  return stop;
}
