import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey } from './columns.ts';
import { ERASURE_OUTCOMES } from '../../domain/account-deletion.ts';

/**
 * The recipients ledger (D-RECIPIENTS): which provider received which of a user's jobs
 * (prompt, input images), written when a task is submitted, and the outcome of the
 * erasure notice sent when the account is deleted. After the erasure the row is detached
 * from the person (`userId` null) and kept as the proof that the notice was sent.
 */
export const DataRecipient = defineEntity({
  name: 'DataRecipient',
  tableName: 'data_recipients',
  uniques: [{ properties: ['provider', 'providerTaskId'] }],
  properties: {
    id: uuidKey(),
    /** No foreign key: the row must survive the erasure it documents. */
    userId: p.uuid().nullable().index(),
    jobId: p.uuid().index(),
    provider: p.string().length(32),
    providerTaskId: p.string().length(255),
    /** What was sent, by category (`prompt`, `input_images`), never the data itself. */
    dataCategories: p.json<string[]>(),
    inputCount: p.integer().default(0),
    sentAt: p.datetime(),
    /** Set before the notice is sent, so a retry knows one may have gone out. */
    erasureRequestedAt: p.datetime().nullable(),
    erasureOutcome: p.enum(ERASURE_OUTCOMES).nullable(),
    erasureCompletedAt: p.datetime().nullable(),
    /** The provider's error code when the notice failed; never personal data. */
    erasureDetail: p.string().length(200).nullable(),
  },
});
export type DataRecipient = InferEntity<typeof DataRecipient>;
