// Names shared by the API (which starts workflows), the worker (which runs them) and the
// dev server (which registers the search attributes operators filter by). Declared once
// here: workflows, their clients and the dev server all read them from this module.
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { SECOND } from './time.ts';

export const TASK_QUEUES = {
  /** Generation jobs and their provider calls. */
  generation: 'generation',
  /** Asset retention timers and deletion. */
  retention: 'retention',
  /** Rights requests, exports and account deletion. */
  privacy: 'privacy',
  /** Subscriptions: each one's workflow, woken by Stripe's events. */
  billing: 'billing',
  /** Platform housekeeping: sweeps and diagnostics. */
  system: 'system',
} as const;
export type TaskQueue = (typeof TASK_QUEUES)[keyof typeof TASK_QUEUES];

export const SEARCH_ATTRIBUTES = {
  UserId: 'Keyword',
  JobStatus: 'Keyword',
  RequestType: 'Keyword',
  AssetKind: 'Keyword',
  DueAt: 'Datetime',
} as const;
export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** Typed keys of the search attributes above, for starting workflows and upserts. */
export const searchAttributes = {
  userId: defineSearchAttributeKey('UserId', SearchAttributeType.KEYWORD),
  jobStatus: defineSearchAttributeKey('JobStatus', SearchAttributeType.KEYWORD),
  requestType: defineSearchAttributeKey('RequestType', SearchAttributeType.KEYWORD),
  assetKind: defineSearchAttributeKey('AssetKind', SearchAttributeType.KEYWORD),
  dueAt: defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME),
} as const;

/** Workflow ids are stable and meaningful so an operator can find them in the Web UI. */
export const workflowIds = {
  generation: (jobId: string) => `generation-${jobId}`,
  script: (projectId: string) => `script-${projectId}`,
  retention: (assetId: string) => `retention-${assetId}`,
  rightsRequest: (requestId: string) => `rights-request-${requestId}`,
  /** By the account's pseudonym, so the id the records keep after the deletion is not the account's. */
  accountDeletion: (pseudonym: string) => `account-deletion-${pseudonym}`,
  diagnostic: (checkId: string) => `diagnostic-${checkId}`,
  announcement: (id: string) => `announcement-${id}`,
  takedown: (takedownId: string) => `takedown-${takedownId}`,
  incident: (incidentId: string) => `incident-${incidentId}`,
  parentalConsent: (userId: string) => `parental-consent-${userId}`,
  subscription: (subscriptionId: string) => `subscription-${subscriptionId}`,
};

/**
 * How many times a call to Temporal is made while its frontend does not answer, with the
 * client's own waits between them (170 ms, growing 1.7 times a try, each within 20%): 7
 * tries give up after about 5.6 s, where the client's default 10 took about 20 s (its
 * last waits are 5 s each). So a request that needs a workflow started or told, and keeps
 * nothing it cannot (a rights request, a take-down filed, a job's cancellation, a
 * provider's callback), answers 503 within seconds. A call Temporal answers, however
 * slowly, is never cut short: a deadline would leave a workflow started by a call that
 * answered too late. A Temporal restart shorter than that is still ridden out.
 */
export const TEMPORAL_CALL_ATTEMPTS = 7;
/** How soon the API's client tries to reach Temporal again after losing it, at first and at most. */
export const TEMPORAL_RECONNECT_BACKOFF_MS = { initial: SECOND, max: 5 * SECOND } as const;

/**
 * How long a request that made a change waits for Temporal to take the signals that tell
 * its workflows (a review's decision, a hold's release): then the change, already made,
 * is answered as made, and the signals not sent are recorded in `untold_signals` for the
 * unstarted sweep to send once Temporal answers. Before, such a request waited the Temporal
 * client's own retries (about 20 s) and answered 503 for a change it had made; sent again,
 * it was refused (already decided, already released) and the workflow never heard of it.
 */
export const SIGNAL_DEADLINE_MS = 5 * SECOND;
/** How many workflows one request signals at once (a hold's release, one per deferred file). */
export const SIGNAL_CONCURRENCY = 16;
