import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { DELETION_ORIGINS } from '../../domain/account-deletion.ts';
import {
  JURISDICTIONS,
  OPEN_REQUEST_STATUSES,
  PAUSE_REASONS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  type StepStates,
} from '../../domain/rights-request.ts';
import { User } from './User.ts';

/**
 * A rights request, its statutory clock (D-CLOCK) and its progress. The row outlives the
 * account it is about: after an erasure it points at the anonymized placeholder, so the
 * legal team keeps the record of what was asked and when it was answered. Its status and
 * its steps are written together, by the statement that changes either, so every view
 * read from here agrees with itself; the workflow is never asked.
 */
export const RightsRequest = defineEntity({
  name: 'RightsRequest',
  tableName: 'rights_requests',
  // The legal team's list of open requests, fewest days left first
  // (use-cases/rights-request-view.ts listLegalRequests, and its counts): read in order
  // from the open ones alone, where every request ever made was scanned and sorted, 85 ms
  // a page among 1,000,000 (migration 20261207131507). A status added to
  // OPEN_REQUEST_STATUSES changes the index: the schema test asks for its migration.
  indexes: [
    {
      name: 'rights_requests_open_due_index',
      expression: `create index "rights_requests_open_due_index" on "rights_requests" ((coalesce(extended_due_at, due_at, 'infinity'::timestamptz)), created_at, id) where status in (${OPEN_REQUEST_STATUSES.map((status) => `'${status}'`).join(', ')})`,
    },
  ],
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    /** The person's pseudonym, set when their account is deleted and `user` goes. */
    subjectPseudonym: p.uuid().nullable(),
    type: p.enum(REQUEST_TYPES),
    jurisdiction: p.enum(JURISDICTIONS),
    status: p.enum(REQUEST_STATUSES).default('awaiting_verification'),
    createdAt: createdNow(),
    verifiedAt: p.datetime().nullable(),
    dueAt: p.datetime().nullable(),
    extendedDueAt: p.datetime().nullable(),
    extensionReason: p.text().nullable(),
    completedAt: p.datetime().nullable(),
    workflowId: p.string().length(255).nullable(),
    /** D-VERIFY: keyed hash of the current code (never the code), its expiry and wrong tries. */
    verificationCodeHash: p.string().length(64).nullable().hidden(),
    verificationSentAt: p.datetime().nullable(),
    verificationExpiresAt: p.datetime().nullable(),
    verificationAttempts: p.integer().default(0),
    /** When an unverified request ends as expired. */
    expiresAt: p.datetime().nullable(),
    /** Deletion only: the owner's request, or support's finding of an under-age user (D-MINOR). */
    origin: p.enum(DELETION_ORIGINS).default('user'),
    /** Why the request waits, while it is paused. */
    pausedReason: p.enum(PAUSE_REASONS).nullable(),
    /** Request-specific input (corrections, objection purposes); no secrets. */
    details: p.json<Record<string, unknown>>().default('{}'),
    /** Each step's state by name (domain/rights-request.ts says which steps a type has). */
    steps: p
      .json<StepStates>()
      .default('{}')
      .onCreate(() => ({})),
    /** Figures of the work done so far (rows, files, notices): never personal data. */
    counts: p
      .json<Record<string, number>>()
      .default('{}')
      .onCreate(() => ({})),
    /** The export archive's asset (access, portability). */
    resultAssetId: p.uuid().nullable(),
    /** When the user was told of an extension (D-CLOCK: within the first period). */
    extensionNoticeSentAt: p.datetime().nullable(),
  },
});
export type RightsRequest = InferEntity<typeof RightsRequest>;
