// Follows a running job from the browser: its events from /api/jobs/:id/events until it
// ends, or polling of /api/jobs/:id (see #lib/api/live.ts).
import { isTerminal } from '../../../../domain/generation.ts';
import { browserApi } from '../api/browser.ts';
import { followLive } from '../api/live.ts';
import type { JobView } from '../../../../domain/contracts/generation.ts';

/** Calls `onUpdate` with each new state of the job until it ends; returns a function that stops. */
export function followJob(jobId: string, onUpdate: (job: JobView) => void): () => void {
  return followLive<JobView>(
    {
      events: `/api/jobs/${encodeURIComponent(jobId)}/events`,
      read: () => browserApi.generation.job(jobId),
      ended: (job) => isTerminal(job.status),
    },
    onUpdate,
  );
}
