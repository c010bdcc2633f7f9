import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { createdNow, uuidKey } from './columns.ts';
import { TAKEDOWN_DECISIONS, TAKEDOWN_REASONS, TAKEDOWN_STATUSES } from '../../domain/takedown.ts';
import { User } from './User.ts';

/** One item a take-down removed: an asset and the proof of its deletion (or the hold deferring it). */
export interface TakedownRemoval {
  assetId: string;
  kind: string;
  jobId: string | null;
  proofId: string | null;
  deferredByHold: boolean;
}

/**
 * A take-down request (S-TAKEDOWN) and each of its steps with its time: filed, decided
 * by a person, the content and all made from it removed with proofs, the creator told,
 * their answer. The workflow `takedown-<id>` moves it on; the API reads it from here.
 */
export const TakedownRequest = defineEntity({
  name: 'TakedownRequest',
  tableName: 'takedown_requests',
  // The legal team's open take-downs, newest filed first, read from the open ones alone:
  // 20 open among 200,000, 33 ms through the closed ones, 0.3 ms from this
  // (migration 20261207140416).
  indexes: [
    { name: 'takedown_requests_open_index', properties: ['filedAt', 'id'], where: "status <> 'closed'" },
  ],
  properties: {
    id: uuidKey(),
    reason: p.enum(TAKEDOWN_REASONS),
    details: p.text(),
    /** What the reporter named, as given (an id or a link). */
    named: p.string().length(2000),
    targetType: p.enum(['job', 'asset']),
    targetId: p.uuid().index(),
    /** Whose content it is; emptied if that account is deleted. */
    owner: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null').index(),
    reporter: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null'),
    /** Where to send the outcome; erased when the request closes. */
    reporterEmail: p.string().length(320).nullable(),
    status: p.enum(TAKEDOWN_STATUSES).default('awaiting_decision'),
    filedAt: createdNow().index(),
    decision: p.enum(TAKEDOWN_DECISIONS).nullable(),
    decisionReason: p.text().nullable(),
    decidedBy: p.uuid().nullable(),
    decidedAt: p.datetime().nullable(),
    removed: p.json<TakedownRemoval[]>().default('[]'),
    removedAt: p.datetime().nullable(),
    creatorNotifiedAt: p.datetime().nullable(),
    reporterNotifiedAt: p.datetime().nullable(),
    answer: p.text().nullable(),
    answeredAt: p.datetime().nullable(),
    answerDueAt: p.datetime().nullable(),
    closedAt: p.datetime().nullable(),
  },
});
export type TakedownRequest = InferEntity<typeof TakedownRequest>;
