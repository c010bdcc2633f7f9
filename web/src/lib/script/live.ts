// Follows a running project from the browser: server-sent events from the same-origin
// /api/scripts/:id/events (one `progress` event per change of the project or of one of
// its scenes, until the run ends), and plain polling if the stream cannot be kept open.
import { browserApi } from '../api/browser.ts';
import { scriptApi } from './api.ts';
import type { ProjectView } from './types.ts';

const POLL_MS = 2000;

/** Calls `onUpdate` with each new state until the run ends; returns a function that stops. */
export function followProject(id: string, onUpdate: (project: ProjectView) => void): () => void {
  let stopped = false;
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;

  const stop = () => {
    stopped = true;
    source?.close();
    clearTimeout(timer);
  };
  const deliver = (project: ProjectView) => {
    if (stopped) return;
    onUpdate(project);
    if (project.status !== 'running') stop();
  };
  const poll = async () => {
    if (stopped) return;
    const result = await scriptApi(browserApi).project(id);
    if (result.ok) deliver(result.data);
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  };

  if (typeof EventSource === 'undefined') {
    void poll();
    return stop;
  }
  source = new EventSource(`/api/scripts/${encodeURIComponent(id)}/events`);
  source.addEventListener('progress', (event) => {
    failures = 0;
    try {
      deliver(JSON.parse((event as MessageEvent<string>).data) as ProjectView);
    } catch {
      // A malformed event is skipped; the next one carries the whole state again.
    }
  });
  source.addEventListener('error', () => {
    if (stopped) return;
    failures += 1;
    if (source?.readyState === EventSource.CLOSED || failures >= 3) {
      source?.close();
      source = undefined;
      void poll();
    }
  });
  return stop;
}
