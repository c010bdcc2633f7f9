// The privacy sweeps (R-ANALYTICS-12M, R-SUPPORT-3Y): how often they run, how much each
// transaction handles, and the ids of their Temporal Schedules. Pure.
import { DAY } from './time.ts';

/** How often identifying analytics past 12 months are aggregated and deleted. */
export const ANALYTICS_SWEEP_INTERVAL_MS = DAY;
/** How often the email log past its 2 years is deleted. */
export const EMAIL_LOG_SWEEP_INTERVAL_MS = DAY;
/** How often the records kept after account deletions are looked at for their end dates. */
export const KEPT_RECORD_SWEEP_INTERVAL_MS = DAY;
/** Rows handled per transaction by the privacy sweeps. */
export const PRIVACY_SWEEP_BATCH_SIZE = 1000;

/** Stable ids, so an operator finds each schedule in the Web UI (apart from the storage `sweep-*` ones). */
export const PRIVACY_SCHEDULE_IDS = {
  analyticsSweep: 'privacy-sweep-analytics',
  emailLogSweep: 'privacy-sweep-email-log',
  keptRecordSweep: 'privacy-sweep-kept-records',
} as const;
