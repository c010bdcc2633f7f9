// First-party analytics from the site (D-CONSENT, D-DNT). Nothing is sent unless the
// visitor opted in to analytics, and nothing is ever sent from a browser that asks not to
// be tracked (Do Not Track or Global Privacy Control), whatever it chose; the API checks
// both again and stores nothing without them. Events carry route patterns (`/jobs/[id]`),
// never ids, query strings or error messages.
import { MAX_ANALYTICS_BATCH } from '../../../../domain/analytics.ts';
import type { AnalyticsEventBody, AnalyticsEventType, ConsentsView } from './types.ts';
import { currentCsrf, freshCsrf } from '../api/csrf.ts';
import { routePattern } from '../nav.ts';

/** What this browser chose, as the API last said (the layout keeps it current). */
export const consent = $state({
  /** null: not chosen yet (the banner asks). */
  analytics: null as boolean | null,
  /** The API saw a Do Not Track or GPC header on the page request. */
  doNotTrack: false,
});

export function applyConsents(consents: ConsentsView | null | undefined): void {
  if (!consents) return;
  consent.analytics = consents.choices.analytics?.granted ?? null;
  consent.doNotTrack = consents.doNotTrack;
}

/** A choice was just saved (the banner, cookie settings): analytics follow it from this page on. */
export function followChoice(consents: ConsentsView | null | undefined, routeId: string | null): void {
  applyConsents(consents);
  if (consent.analytics) pageView(routeId);
  else forgetQueued();
}

/** The browser's own signals, read where the page runs. */
export function browserAsksNotToTrack(): boolean {
  if (typeof navigator === 'undefined') return false;
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  return nav.doNotTrack === '1' || nav.globalPrivacyControl === true;
}

export function trackingAllowed(): boolean {
  return (
    typeof window !== 'undefined' &&
    consent.analytics === true &&
    !consent.doNotTrack &&
    !browserAsksNotToTrack()
  );
}

const FLUSH_DELAY_MS = 1000;
let queue: AnalyticsEventBody[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;

/** Records one event, if (and only if) this visitor allows it. */
export function track(
  type: AnalyticsEventType,
  name: string,
  extra: { path?: string; valueMs?: number } = {},
) {
  if (!trackingAllowed()) return;
  queue.push({
    type,
    name: name.slice(0, 100),
    ...(extra.path ? { path: extra.path.split('?')[0]!.slice(0, 300) } : {}),
    ...(extra.valueMs !== undefined
      ? { valueMs: Math.max(0, Math.min(3_600_000, Math.round(extra.valueMs))) }
      : {}),
  });
  if (queue.length >= MAX_ANALYTICS_BATCH) void flush();
  else timer ??= setTimeout(() => void flush(), FLUSH_DELAY_MS);
}

async function post(events: AnalyticsEventBody[], csrfToken: string, keepalive: boolean): Promise<Response> {
  return fetch('/api/analytics/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': csrfToken },
    body: JSON.stringify({ events }),
    credentials: 'same-origin',
    keepalive,
  });
}

/** Sends what is queued; `keepalive` lets it finish while the page is being left. */
export async function flush(keepalive = false): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  // A choice withdrawn (or a signal turned on) meanwhile drops what was waiting.
  if (!trackingAllowed()) {
    queue = [];
    return;
  }
  const events = queue.splice(0, MAX_ANALYTICS_BATCH);
  if (!events.length) return;
  try {
    let res = await post(events, await currentCsrf(), keepalive);
    if (res.status === 403) res = await post(events, await freshCsrf(), keepalive);
  } catch {
    // Analytics are never worth an error for the visitor.
  }
  if (queue.length) timer ??= setTimeout(() => void flush(), FLUSH_DELAY_MS);
}

/** Withdrawn consent: forget anything not yet sent. */
export function forgetQueued(): void {
  clearTimeout(timer);
  timer = undefined;
  queue = [];
}

/** Wires load time, uncaught errors and page hides; returns the clean-up. */
export function startAnalytics(routeId: string | null): () => void {
  track('load_time', 'hydrated', {
    path: routeId ? routePattern(routeId) : undefined,
    valueMs: Number(document.documentElement.dataset.hydratedAt),
  });
  const onError = () => track('error', 'uncaught_error', { path: currentRoute });
  const onRejection = () => track('error', 'unhandled_rejection', { path: currentRoute });
  const onHide = () => {
    if (document.visibilityState === 'hidden') void flush(true);
  };
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  document.addEventListener('visibilitychange', onHide);
  return () => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
    document.removeEventListener('visibilitychange', onHide);
  };
}

let currentRoute = '';
/** A page was shown: its route pattern, never the concrete path (which may hold ids). */
export function pageView(routeId: string | null): void {
  currentRoute = routeId ? routePattern(routeId) : 'unknown';
  track('page_view', currentRoute, { path: currentRoute });
}
