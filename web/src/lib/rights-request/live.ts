// Follows a rights request from the browser: polls its page's API every few seconds until
// it ends. An account deletion signs its owner out early on (its sessions are revoked),
// so a poll answered 401 is reported as such rather than as a failure.
import { browserApi } from '../api/browser.ts';

import type { RequestView } from './types.ts';
import { isFinished } from './words.ts';

export const REQUEST_POLL_MS = 2000;

export interface FollowHandlers {
  onUpdate: (request: RequestView) => void;
  /** The session ended (a deletion signs its owner out); polling stops. */
  onSignedOut?: () => void;
}

/** Starts polling; returns a function that stops it. */
export function followRequest(id: string, handlers: FollowHandlers): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const poll = async () => {
    if (stopped) return;
    const result = await browserApi.rightsRequest.request(id);
    if (stopped) return;
    if (!result.ok && result.problem.status === 401) {
      stop();
      handlers.onSignedOut?.();
      return;
    }
    // The next poll is set before the page hears of this one: a page that fails to show an
    // answer must not stop the following (a deletion's sign-out is only seen by a poll).
    if (result.ok && isFinished(result.data.status)) stop();
    else timer = setTimeout(poll, REQUEST_POLL_MS);
    if (result.ok) handlers.onUpdate(result.data);
  };

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };

  timer = setTimeout(poll, REQUEST_POLL_MS);
  return stop;
}
