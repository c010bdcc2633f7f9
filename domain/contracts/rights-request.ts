// What the API takes and gives for rights requests (D-ACCESS, D-PORT, D-ERASE,
// D-RECTIFY, D-RESTRICT, D-OBJECT, D-CONSENT, D-VERIFY, D-CLOCK): the owner's routes and
// the legal team's. One schema for the API's validation and OpenAPI document, and the
// site's types (`z.infer`).
import { z } from 'zod';
import { DELETION_ORIGINS } from '../account-deletion.ts';
import { CONSENT_PURPOSES, OBJECTION_PURPOSES } from '../consent.ts';
import {
  JURISDICTIONS,
  LEGAL_REQUEST_LIST_LIMIT,
  LEGAL_REQUEST_LIST_MAX_LIMIT,
  PAUSE_REASONS,
  REQUEST_LIST_MAX_LIMIT,
  REQUEST_PAGE_SIZE,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  STEP_STATES,
  VERIFICATION_CODE_DIGITS,
} from '../rights-request.ts';
import { cursorId, cursorSchema, cursorTime, encodeCursor, nextCursor, pageQuery } from './page.ts';

export const requestIdParams = z.object({ id: z.uuid() });

export const requestStep = z.object({ name: z.string(), state: z.enum(STEP_STATES) });
export type RequestStep = z.infer<typeof requestStep>;

export const requestView = z.object({
  id: z.uuid(),
  type: z.enum(REQUEST_TYPES),
  jurisdiction: z.enum(JURISDICTIONS),
  status: z.enum(REQUEST_STATUSES),
  origin: z.enum(DELETION_ORIGINS),
  createdAt: z.string(),
  /** When an unverified request expires. */
  expiresAt: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  /** The deadline in force (the extended one, if any): D-CLOCK. */
  dueAt: z.string().nullable(),
  originalDueAt: z.string().nullable(),
  extended: z.boolean(),
  extensionReason: z.string().nullable(),
  daysLeft: z.number().nullable(),
  pausedReason: z.enum(PAUSE_REASONS).nullable(),
  completedAt: z.string().nullable(),
  canCancel: z.boolean(),
  workflowId: z.string().nullable(),
  verification: z
    .object({
      codeExpiresAt: z.string().nullable(),
      attemptsLeft: z.number(),
      /** The account's mail server refused the email with the newest code for good. */
      codeRefused: z.boolean(),
    })
    .nullable(),
  /** Each step of its workflow and the figures of the work done, as the request's row records them. */
  progress: z.object({ steps: z.array(requestStep), counts: z.record(z.string(), z.number()) }).nullable(),
  /** The archive of an access or portability request. */
  export: z.object({ assetId: z.uuid(), status: z.string(), deleteAt: z.string().nullable() }).nullable(),
});
export type RequestView = z.infer<typeof requestView>;

/**
 * `GET /api/privacy/requests`: a page of my requests, newest first; only the open ones
 * (`status=open`), or of one type.
 */
export const myRequestQuery = z.object({
  ...pageQuery(REQUEST_PAGE_SIZE, REQUEST_LIST_MAX_LIMIT),
  status: z.enum(['open', 'all']).default('all'),
  type: z.enum(REQUEST_TYPES).optional(),
});
export type MyRequestQuery = z.infer<typeof myRequestQuery>;
/** What a caller sends (the defaults fill the rest). */
export type MyRequestQueryInput = z.input<typeof myRequestQuery>;

export const requestList = z.object({ requests: z.array(requestView), nextCursor });
export type RequestList = z.infer<typeof requestList>;

export const createRequestBody = z
  .object({
    type: z.enum(REQUEST_TYPES),
    jurisdiction: z.enum(JURISDICTIONS),
    /** Rectification: what is wrong, corrected (email and password are changed in settings). */
    corrections: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        dateOfBirth: z.iso.date().optional(),
      })
      .strict()
      .optional(),
    /** Objection: `analytics`, `marketing`; consent withdrawal: the consent purposes. */
    purposes: z.array(z.string()).min(1).max(5).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.type === 'rectification' && !body.corrections?.name && !body.corrections?.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['corrections'], message: 'Say what should be corrected.' });
    }
    if (
      body.type === 'objection' &&
      body.purposes?.some((p) => !(OBJECTION_PURPOSES as readonly string[]).includes(p))
    ) {
      ctx.addIssue({ code: 'custom', path: ['purposes'], message: 'Object to analytics or marketing.' });
    }
    if (
      body.type === 'consent_withdrawal' &&
      body.purposes?.some((p) => !(CONSENT_PURPOSES as readonly string[]).includes(p))
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['purposes'],
        message: `Purposes: ${CONSENT_PURPOSES.join(', ')}.`,
      });
    }
  });
export type CreateRequestBody = z.infer<typeof createRequestBody>;

export const verifyRequestBody = z.object({
  code: z
    .string()
    .regex(new RegExp(`^\\d{${VERIFICATION_CODE_DIGITS}}$`), 'Enter the 6-digit code we emailed you.'),
});
export type VerifyRequestBody = z.infer<typeof verifyRequestBody>;

// ---------------------------------------------------------------- the legal team

/** The legal team's view: the same, with the person's account id. */
export const legalRequestView = requestView.extend({ userId: z.uuid().nullable() });
export type LegalRequestView = z.infer<typeof legalRequestView>;

/**
 * Where a page of the legal team's requests ended, in their order: the deadline in force
 * (none before the person confirms: those come last), then when the request was made,
 * then its id.
 */
export interface DueCursor {
  dueAt: Date | null;
  createdAt: Date;
  id: string;
}

/** `<due ISO or nothing>|<created ISO>|<id>`, read back by `dueCursor`. */
export const dueCursorOf = (row: DueCursor): string =>
  encodeCursor([row.dueAt?.toISOString() ?? '', row.createdAt.toISOString(), row.id]);

export const dueCursor = cursorSchema(([due, created, id]): DueCursor | undefined => {
  const dueAt = due === '' ? null : cursorTime(due);
  const createdAt = cursorTime(created);
  const rowId = cursorId(id);
  return dueAt !== undefined && createdAt && rowId ? { dueAt, createdAt, id: rowId } : undefined;
});

export const legalRequestQuery = z.object({
  status: z.enum(['open', 'all', ...REQUEST_STATUSES]).default('open'),
  type: z.enum(REQUEST_TYPES).optional(),
  userId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(LEGAL_REQUEST_LIST_MAX_LIMIT).default(LEGAL_REQUEST_LIST_LIMIT),
  cursor: dueCursor.optional(),
});
export type LegalRequestQuery = z.infer<typeof legalRequestQuery>;
/** What a caller sends (the defaults fill the rest). */
export type LegalRequestQueryInput = z.input<typeof legalRequestQuery>;

export const legalRequestList = z.object({
  requests: z.array(legalRequestView),
  nextCursor,
  /** Of every request the filter matches, not only this page's: how many are overdue, and due soon. */
  counts: z.object({ overdue: z.number(), dueSoon: z.number() }),
});
export type LegalRequestList = z.infer<typeof legalRequestList>;

export const extendDeadlineBody = z
  .object({ reason: z.string().trim().min(3).max(2000), months: z.number().int().optional() })
  .strict();
export type ExtendDeadlineBody = z.infer<typeof extendDeadlineBody>;

export const requestAudit = z.object({
  requestId: z.uuid(),
  exportedAt: z.string(),
  events: z.array(z.record(z.string(), z.unknown())),
});
export type RequestAudit = z.infer<typeof requestAudit>;
