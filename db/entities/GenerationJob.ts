import { defineEntity, p, type InferEntity } from '@mikro-orm/postgresql';
import { uuidKey } from './columns.ts';
import { JOB_STATUSES } from '../../domain/generation.ts';
import { User } from './User.ts';

export const GenerationJob = defineEntity({
  name: 'GenerationJob',
  tableName: 'generation_jobs',
  uniques: [{ properties: ['user', 'idempotencyKey'] }],
  // A creator's jobs newest first, a page at a time: read in order from the index
  // (migration 20261207131218). It leads with the owner, so it serves every lookup by owner.
  indexes: [{ name: 'generation_jobs_owner_newest_index', properties: ['user', 'createdAt', 'id'] }],
  // Every change to what a live view shows is announced on the `generation_job` channel
  // with the job's id (stores/generation.ts JOB_CHANNEL), so the API pushes it to whoever
  // watches instead of asking the workflow.
  triggers: [
    {
      name: 'generation_job_changed',
      timing: 'after',
      events: ['update'],
      forEach: 'row',
      // One line, as PostgreSQL stores it: the schema check compares the text.
      body: `if row(old.status, old.progress, old.queue_position, old.eta_seconds, old.status_message, old.output_asset_id, old.credits_charged, old.model, old.cancel_requested_at) is distinct from row(new.status, new.progress, new.queue_position, new.eta_seconds, new.status_message, new.output_asset_id, new.credits_charged, new.model, new.cancel_requested_at) then perform pg_notify('generation_job', new.id::text); end if; return null;`,
    },
  ],
  properties: {
    id: uuidKey(),
    user: () => p.manyToOne(User).mapToPk().nullable().deleteRule('set null'),
    idempotencyKey: p.string().length(255).nullable(),
    model: p.string().length(64),
    provider: p.string().length(32),
    prompt: p.text(),
    parameters: p.json<Record<string, unknown>>(),
    status: p.enum(JOB_STATUSES).default('moderating'),
    /** When the status last changed: the live view's clock, written by the workflow's activities. */
    statusChangedAt: p.datetime().nullable(),
    /** Why a job is held for review, in words a creator understands (the moderation's reason). */
    statusMessage: p.text().nullable(),
    /** 0..1, where the provider (or our renderer) reports it. */
    progress: p.double().nullable(),
    queuePosition: p.integer().nullable(),
    etaSeconds: p.integer().nullable(),
    providerTaskId: p.string().length(255).nullable(),
    creditsQuoted: p.integer(),
    creditsCharged: p.integer().nullable(),
    failureCode: p.string().length(64).nullable(),
    failureReason: p.text().nullable(),
    /** sha256 of the request, so a repeated Idempotency-Key with another request is refused. */
    requestHash: p.string().length(64),
    quoteId: p.uuid().nullable(),
    /** The model first chosen, when a fallback replaced it. */
    originalModel: p.string().length(64).nullable(),
    moderationVerdict: p.string().length(16).nullable(),
    moderationCategories: p.json<string[]>().nullable(),
    reviewedBy: p.uuid().nullable(),
    reviewedAt: p.datetime().nullable(),
    reviewReason: p.text().nullable(),
    /** Set just before a submission is sent, cleared once its answer is known (exactly-once submission). */
    submitAttemptedAt: p.datetime().nullable(),
    submittedAt: p.datetime().nullable(),
    parentJobId: p.uuid().nullable().index(),
    revisionKind: p.string().length(32).nullable(),
    outputAssetId: p.uuid().nullable(),
    /** D-ADM: the refused job this one re-runs, at its quoted price, for a person's review. */
    reviewOfJobId: p.uuid().nullable().unique(),
    /**
     * A cancel its owner asked for while Temporal did not answer: the untold-signals sweep
     * tells the workflow once it does (the views say so until the job ends).
     */
    cancelRequestedAt: p.datetime().nullable(),
    /** S-TAKEDOWN: the take-down that removed this job's video from every view. */
    takedownId: p.uuid().nullable(),
    /** The script project this job renders a scene of: its video is an intermediate asset. */
    scriptProjectId: p.uuid().nullable().index(),
    createdAt: p
      .datetime()
      .onCreate(() => new Date())
      .index(),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
  },
});
export type GenerationJob = InferEntity<typeof GenerationJob>;
