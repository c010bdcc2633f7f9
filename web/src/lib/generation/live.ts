// Follows a running job from the browser: server-sent events from the same-origin
// /api/jobs/:id/events (one `progress` event per change, until the job ends), and plain
// polling of /api/jobs/:id if the event stream cannot be kept open.
import { isTerminal } from '../../../../domain/generation.ts';
import { browserApi } from '../api/browser.ts';
import type { JobView } from '../../../../domain/contracts/generation.ts';

const POLL_MS = 2000;

/** Calls `onUpdate` with each new state of the job until it ends; returns a function that stops. */
export function followJob(jobId: string, onUpdate: (job: JobView) => void): () => void {
  let stopped = false;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const deliver = (job: JobView) => {
    if (stopped) return;
    onUpdate(job);
    if (isTerminal(job.status)) stop();
  };

  const poll = async () => {
    if (stopped) return;
    const result = await browserApi.generation.job(jobId);
    if (result.ok) deliver(result.data);
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };

  if (typeof EventSource === 'undefined') {
    void poll();
    return stop;
  }
  source = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events`);
  source.addEventListener('progress', (event) => {
    failures = 0;
    try {
      deliver(JSON.parse((event as MessageEvent<string>).data) as JobView);
    } catch {
      // A malformed event is skipped; the next one carries the whole state again.
    }
  });
  source.addEventListener('error', () => {
    if (stopped) return;
    // The browser reconnects by itself; after a few failures in a row, poll instead.
    failures += 1;
    if (source?.readyState === EventSource.CLOSED || failures >= 3) {
      source?.close();
      source = undefined;
      void poll();
    }
  });
  return stop;
}
