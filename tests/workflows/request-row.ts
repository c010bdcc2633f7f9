// The rights-request workflows' view of their database row, in memory: the request
// activities (activities/privacy/requests.ts) move a status only from the statuses it may
// change from, and these stubs do the same, so a test plays the API's part by setting
// `row.status` (the owner cancelled, the code was checked) before it signals.
import { randomUUID } from 'node:crypto';
import type { RequestSnapshot } from '../../activities/rights-request/records.ts';
import type { RequestStatus, RequestType } from '../../domain/rights-request.ts';
import { UNVERIFIED_REQUEST_TTL_MS } from '../../domain/rights-request.ts';
import { DAY } from '../../domain/time.ts';
import type { RequestWorkflowInput, VerifiedMessage } from '../../workflows/rights-request.ts';
import type { ActivityStubs } from '../support/workflow-env.ts';

export interface RequestRow {
  id: string;
  userId: string;
  type: RequestType;
  status: RequestStatus;
  verifiedAt: string | null;
  dueAt: string | null;
}

/** A new request as the API starts its workflow: expiring UNVERIFIED_REQUEST_TTL_MS from `now`. */
export function newRequest(now: number, type: RequestType, verified?: VerifiedMessage) {
  const row: RequestRow = {
    id: randomUUID(),
    userId: randomUUID(),
    type,
    status: verified ? 'verified' : 'awaiting_verification',
    verifiedAt: verified?.verifiedAt ?? null,
    dueAt: verified?.dueAt ?? null,
  };
  const input: RequestWorkflowInput = {
    requestId: row.id,
    userId: row.userId,
    type,
    expiresAt: new Date(now + UNVERIFIED_REQUEST_TTL_MS).toISOString(),
    verified: verified ?? null,
  };
  return { row, input, stubs: requestRecordStubs(row) };
}

/** What the API writes and signals when the owner enters the right code at `now`. */
export function verification(now: number, dueInDays = 30): VerifiedMessage {
  return { verifiedAt: new Date(now).toISOString(), dueAt: new Date(now + dueInDays * DAY).toISOString() };
}

export const snapshot = (row: RequestRow): RequestSnapshot => ({ ...row });

function requestRecordStubs(row: RequestRow) {
  const move = (from: readonly RequestStatus[], to: RequestStatus) => {
    if (from.includes(row.status)) row.status = to;
    return snapshot(row);
  };
  return {
    loadRequest: async () => snapshot(row),
    expireRequest: async () => move(['awaiting_verification'], 'expired'),
    claimRequest: async () => move(['verified', 'paused'], 'in_progress'),
    pauseRequest: async () => void move(['verified', 'in_progress'], 'paused'),
    resumeRequest: async () => void move(['paused'], 'in_progress'),
    rejectRequest: async () => move(['verified', 'in_progress', 'paused'], 'rejected'),
    completeRequest: async () => move(['in_progress'], 'completed'),
  } satisfies ActivityStubs;
}
