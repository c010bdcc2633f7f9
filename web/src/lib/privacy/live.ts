// Follows a rights request from the browser: polls its page's API every few seconds until
// it ends. An account deletion signs its owner out early on (its sessions are revoked),
// so a poll answered 401 is reported as such rather than as a failure.
import { browserApi } from '../api/browser.ts';
import { privacyApi } from './api.ts';
import type { PrivacyRequestView } from './types.ts';
import { isFinished } from './words.ts';

export const REQUEST_POLL_MS = 2000;

export interface FollowHandlers {
  onUpdate: (request: PrivacyRequestView) => void;
  /** The session ended (a deletion signs its owner out); polling stops. */
  onSignedOut?: () => void;
}

/** Starts polling; returns a function that stops it. */
export function followRequest(id: string, handlers: FollowHandlers): () => void {
  const api = privacyApi(browserApi);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const poll = async () => {
    if (stopped) return;
    const result = await api.request(id);
    if (stopped) return;
    if (result.ok) {
      handlers.onUpdate(result.data);
      if (isFinished(result.data.status)) return stop();
    } else if (result.problem.status === 401) {
      stop();
      handlers.onSignedOut?.();
      return;
    }
    timer = setTimeout(poll, REQUEST_POLL_MS);
  };

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
  };

  timer = setTimeout(poll, REQUEST_POLL_MS);
  return stop;
}
