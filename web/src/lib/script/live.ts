// Follows a running project from the browser: its events from /api/scripts/:id/events
// (one per change of the project or of one of its scenes) until the run ends, or polling
// (see #lib/api/live.ts).
import { browserApi } from '../api/browser.ts';
import { followLive } from '../api/live.ts';
import { scriptApi } from './api.ts';
import type { ProjectView } from './types.ts';

/** Calls `onUpdate` with each new state until the run ends; returns a function that stops. */
export function followProject(id: string, onUpdate: (project: ProjectView) => void): () => void {
  return followLive<ProjectView>(
    {
      events: `/api/scripts/${encodeURIComponent(id)}/events`,
      read: () => scriptApi(browserApi).project(id),
      ended: (project) => project.status !== 'running',
    },
    onUpdate,
  );
}
