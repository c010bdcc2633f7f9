// What the API takes and gives for take-down requests (S-TAKEDOWN): the public form,
// the creator's notice and answer, and the legal team's list, record and decision.
import { z } from 'zod';
import {
  TAKEDOWN_ANSWER_MAX,
  TAKEDOWN_DECISIONS,
  TAKEDOWN_DETAILS_MAX,
  TAKEDOWN_LIST_LIMIT,
  TAKEDOWN_LIST_MAX_LIMIT,
  TAKEDOWN_REASONS,
  TAKEDOWN_STATUSES,
} from '../takedown.ts';
import { nextCursor, pageQuery } from './page.ts';

export const fileTakedownBody = z.object({
  reason: z.enum(TAKEDOWN_REASONS),
  /** The content: a job id, a file id, or a link to either (a download link or a page of the site). */
  content: z.string().trim().min(1).max(2000),
  details: z.string().trim().min(10).max(TAKEDOWN_DETAILS_MAX),
  /** Where to tell the reporter the outcome (optional; erased when the request closes). */
  email: z.email().max(320).optional(),
});
export type FileTakedownBody = z.infer<typeof fileTakedownBody>;

export const takedownFiled = z.object({
  id: z.uuid(),
  status: z.enum(TAKEDOWN_STATUSES),
  message: z.string(),
});
export type TakedownFiled = z.infer<typeof takedownFiled>;

export const takedownRemoval = z.object({
  assetId: z.uuid(),
  kind: z.string(),
  jobId: z.uuid().nullable(),
  proofId: z.uuid().nullable(),
  deferredByHold: z.boolean(),
});

/** What the creator sees of a take-down of their content. */
export const takedownNotice = z.object({
  id: z.uuid(),
  reason: z.enum(TAKEDOWN_REASONS),
  status: z.enum(TAKEDOWN_STATUSES),
  decision: z.enum(TAKEDOWN_DECISIONS).nullable(),
  decisionReason: z.string().nullable(),
  decidedAt: z.string().nullable(),
  removed: z.array(takedownRemoval),
  removedAt: z.string().nullable(),
  answer: z.string().nullable(),
  answeredAt: z.string().nullable(),
  answerDueAt: z.string().nullable(),
  canAnswer: z.boolean(),
});
export type TakedownNotice = z.infer<typeof takedownNotice>;

export const takedownAnswerBody = z.object({ answer: z.string().trim().min(3).max(TAKEDOWN_ANSWER_MAX) });
export type TakedownAnswerBody = z.infer<typeof takedownAnswerBody>;

/** Each step of a request with its time (S-TAKEDOWN): the legal team's record. */
export const takedownRecord = takedownNotice.extend({
  details: z.string(),
  named: z.string(),
  targetType: z.enum(['job', 'asset']),
  targetId: z.uuid(),
  ownerId: z.uuid().nullable(),
  reporter: z.enum(['signed_in', 'anonymous']),
  reporterWantsOutcome: z.boolean(),
  filedAt: z.string(),
  decisionDueAt: z.string(),
  decidedBy: z.uuid().nullable(),
  creatorNotifiedAt: z.string().nullable(),
  reporterNotifiedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  workflowId: z.string(),
  temporalUiUrl: z.url(),
});
export type TakedownRecord = z.infer<typeof takedownRecord>;

export const takedownListQuery = z.object({
  status: z
    .enum(['open', ...TAKEDOWN_STATUSES])
    .optional()
    .meta({ description: '`open`: every one not closed yet. Without it, all.' }),
  ...pageQuery(TAKEDOWN_LIST_LIMIT, TAKEDOWN_LIST_MAX_LIMIT),
});
export type TakedownListQuery = z.infer<typeof takedownListQuery>;
export const takedownList = z.object({
  takedowns: z.array(takedownRecord),
  nextCursor,
});
export type TakedownList = z.infer<typeof takedownList>;

export const takedownDecisionBody = z.object({
  uphold: z.boolean(),
  reason: z.string().trim().min(3).max(2000),
});
export type TakedownDecisionBody = z.infer<typeof takedownDecisionBody>;
