// First-party product analytics: what the site may report, and how much.
export const ANALYTICS_EVENT_TYPES = ['page_view', 'feature_use', 'load_time', 'error'] as const;
export type AnalyticsEventType = (typeof ANALYTICS_EVENT_TYPES)[number];

/** Events accepted in one report. */
export const MAX_ANALYTICS_BATCH = 50;

/** Request headers by which a browser asks not to be tracked (D-DNT). */
export function trackingRefused(headers: { dnt?: string | undefined; secGpc?: string | undefined }): boolean {
  return headers.dnt === '1' || headers.secGpc === '1';
}
