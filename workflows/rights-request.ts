// Rights requests (`rights-request-<requestId>`, task queue `privacy`) and what every
// rights-request workflow shares: the messages the API sends (the request was verified,
// cancelled, its deadline moved, a legal hold changed), the progress query operators
// read in the Web UI, and the wait for verification (D-VERIFY) with its durable expiry.
// The people's and the legal team's pages never ask the workflow: the activities write
// each status and step on the request's row as they change it. Then the other rights:
// rectification (D-RECTIFY), restriction (D-RESTRICT), objection (D-OBJECT) and consent
// withdrawal (D-CONSENT), verified first, then applied and reported to the owner.
// Workflow code: deterministic, domain/ imports only.
import {
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { RightsRequestActivities } from '../activities/rights-request/index.ts';
import {
  RIGHTS_STEPS,
  type PauseReason,
  type RequestStatus,
  type RequestType,
  type StepProgress,
  type StepState,
} from '../domain/rights-request.ts';
import { MINUTE, SECOND } from '../domain/time.ts';
import { searchAttributes } from '../domain/temporal.ts';

// ---------------------------------------------------------------- messages

export interface VerifiedMessage {
  verifiedAt: string;
  dueAt: string;
}

/** The API checked the code (D-VERIFY) and started the statutory clock. */
export const verifiedSignal = defineSignal<[VerifiedMessage]>('verified');
/** The owner cancelled (the database already says so; this only wakes the workflow). */
export const cancelRequestSignal = defineSignal<[]>('cancel');
/** The legal team extended the deadline (D-CLOCK). */
export const deadlineChangedSignal = defineSignal<[{ dueAt: string }]>('deadlineChanged');
/** A legal hold on the person was placed or released: look again (R-HOLD). */
export const holdChangedSignal = defineSignal<[]>('holdChanged');

export type { StepProgress };

export interface RequestProgress {
  requestId: string;
  type: RequestType;
  status: RequestStatus;
  steps: StepProgress[];
  /** The deadline in force (ISO), once verified. */
  dueAt: string | null;
  pausedReason: PauseReason | null;
  /** Figures of the work done so far (rows, files, notices): never personal data. */
  counts: Record<string, number>;
}

/** For operators (Web UI): the workflow's own view; the API reads the request's row instead. */
export const requestProgressQuery = defineQuery<RequestProgress>('progress');

// ---------------------------------------------------------------- input

export interface RequestWorkflowInput {
  requestId: string;
  userId: string;
  type: RequestType;
  /** Absolute ISO time an unverified request expires (computed once, by the API). */
  expiresAt: string;
  /** Given when the request is verified from the start (support's finding of a minor). */
  verified?: VerifiedMessage | null;
}

// ---------------------------------------------------------------- shared workflow code

/** Database steps retry until the database answers; a missing request is the one final answer. */
export const requestRecords = proxyActivities<RightsRequestActivities>({
  startToCloseTimeout: 30 * SECOND,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: MINUTE,
    nonRetryableErrorTypes: ['RequestNotFound', 'WrongRequestType', 'ExportGone'],
  },
});

/** A progress object with every step pending, and the handlers every request workflow has. */
export function trackProgress(input: RequestWorkflowInput, steps: readonly string[]) {
  const progress: RequestProgress = {
    requestId: input.requestId,
    type: input.type,
    status: input.verified ? 'verified' : 'awaiting_verification',
    steps: steps.map((name) => ({ name, state: 'pending' })),
    dueAt: input.verified?.dueAt ?? null,
    pausedReason: null,
    counts: {},
  };
  const flags = { verified: input.verified ?? null, cancelled: false, holdChanged: 0 };
  setHandler(requestProgressQuery, () => progress);
  setHandler(verifiedSignal, (message) => {
    flags.verified ??= message;
  });
  setHandler(cancelRequestSignal, () => {
    flags.cancelled = true;
  });
  setHandler(deadlineChangedSignal, ({ dueAt }) => {
    progress.dueAt = dueAt;
    upsertSearchAttributes([{ key: searchAttributes.dueAt, value: new Date(dueAt) }]);
  });
  setHandler(holdChangedSignal, () => {
    flags.holdChanged++;
  });
  const step = (name: string, state: StepState) => {
    const found = progress.steps.find((s) => s.name === name);
    if (found) found.state = state;
  };
  return { progress, flags, step };
}

export type Tracker = ReturnType<typeof trackProgress>;

/**
 * D-VERIFY: nothing is processed before the owner confirms the request. Waits for the
 * verification (or a cancellation) until the request's expiry; then the database
 * decides, so a verification whose signal was lost still counts.
 */
export async function awaitVerification(
  input: RequestWorkflowInput,
  tracker: Tracker,
): Promise<'verified' | 'expired' | 'cancelled'> {
  const { progress, flags, step } = tracker;
  step('verify', 'waiting');
  if (!flags.verified) {
    const remaining = Date.parse(input.expiresAt) - Date.now();
    if (remaining > 0) await condition(() => flags.verified !== null || flags.cancelled, remaining);
  }
  if (!flags.verified) {
    const current = flags.cancelled
      ? await requestRecords.loadRequest(input.requestId)
      : await requestRecords.expireRequest(input.requestId);
    if (current.status === 'verified' && current.verifiedAt && current.dueAt) {
      flags.verified = { verifiedAt: current.verifiedAt, dueAt: current.dueAt };
    } else {
      progress.status = current.status;
      // Nothing was done, and nothing will be.
      for (const s of progress.steps) if (s.state !== 'done') s.state = 'skipped';
      return current.status === 'expired' ? 'expired' : 'cancelled';
    }
  }
  progress.status = 'verified';
  progress.dueAt = flags.verified.dueAt;
  upsertSearchAttributes([{ key: searchAttributes.dueAt, value: new Date(flags.verified.dueAt) }]);
  step('verify', 'done');
  return 'verified';
}

/** Processing starts: after this the owner can no longer cancel. False when they did. */
export async function claim(input: RequestWorkflowInput, tracker: Tracker): Promise<boolean> {
  const current = await requestRecords.claimRequest(input.requestId);
  tracker.progress.status = current.status;
  if (current.status !== 'in_progress') {
    for (const s of tracker.progress.steps) if (s.state === 'pending') s.state = 'skipped';
    return false;
  }
  tracker.progress.pausedReason = null;
  return true;
}

// ---------------------------------------------------------------- the other rights

export async function rightsRequestWorkflow(input: RequestWorkflowInput): Promise<RequestProgress> {
  const tracker = trackProgress(input, RIGHTS_STEPS);
  const { progress, step } = tracker;
  if ((await awaitVerification(input, tracker)) !== 'verified') return progress;
  if (!(await claim(input, tracker))) return progress;
  step('apply', 'running');
  const { applied } = await requestRecords.applyRightsRequest(input.requestId);
  progress.counts = { changes: applied.length };
  step('apply', 'done');
  step('notify', 'running');
  await requestRecords.sendRequestCompleted(input.requestId);
  step('notify', 'done');
  progress.status = (await requestRecords.completeRequest(input.requestId)).status;
  return progress;
}
