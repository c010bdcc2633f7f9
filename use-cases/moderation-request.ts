// A creator asks for a person's decision after an automatic refusal (D-ADM). A refused
// job is run again under a new job that waits for the reviewer first, at the price the
// creator was quoted: its credits are reserved now (the same transaction creates it), so
// an approval starts it at once and a rejection gives them back. A refused image joins
// the queue as it is. Either way the request is in the staff queue and the audit log.
import { randomUUID } from 'node:crypto';
import { Asset, GenerationJob, ModerationReview } from '../db/entities/index.ts';
import type { AssetView } from '../domain/contracts/retention.ts';
import type { JobView } from '../domain/contracts/generation.ts';
import type { ReviewRequestBody } from '../domain/contracts/moderation.ts';
import { AppError, conflict, notFound } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import { InsufficientCredits, writeLedger } from '../stores/billing.ts';
import { openReview } from '../stores/moderation.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { ownJob, viewOf } from './generation-view.ts';
import { startWorkflow } from './generation.ts';
import { refusedAutomatically } from './moderation-view.ts';
import { getAsset } from './retention.ts';

const AWAITING = 'Waiting for a person to review your request.';

/** The refused job, copied into a new one that waits for the reviewer; its credits reserved. */
async function insertRerun(deps: UseCaseDeps, refused: GenerationJob): Promise<GenerationJob> {
  const em = deps.orm.em.fork();
  try {
    return await em.transactional(async (tx) => {
      const rerun = tx.create(GenerationJob, {
        id: randomUUID(),
        user: refused.user,
        idempotencyKey: `review:${refused.id}`,
        requestHash: refused.requestHash,
        model: refused.originalModel ?? refused.model,
        provider: refused.provider,
        prompt: refused.prompt,
        parameters: refused.parameters,
        status: 'awaiting_review',
        statusMessage: AWAITING,
        statusChangedAt: new Date(),
        creditsQuoted: refused.creditsQuoted,
        moderationVerdict: refused.moderationVerdict,
        moderationCategories: refused.moderationCategories,
        parentJobId: refused.parentJobId ?? null,
        revisionKind: refused.revisionKind ?? null,
        reviewOfJobId: refused.id,
        createdAt: new Date(),
      });
      await tx.flush();
      await writeLedger(tx, {
        userId: refused.user!,
        kind: 'reserve',
        credits: rerun.creditsQuoted,
        jobId: rerun.id,
        note: `reserved for a review of ${refused.id}`,
      });
      return rerun;
    });
  } catch (err) {
    if (err instanceof InsufficientCredits) {
      throw new AppError(
        402,
        'insufficient_credits',
        `A review runs the job at its quoted ${refused.creditsQuoted} credits if approved, reserved now; your balance is ${err.balance}.`,
      );
    }
    throw err;
  }
}

/** D-ADM: a person reviews a job refused by automated moderation; approved, it runs at its quoted price. */
export async function requestJobReview(
  deps: UseCaseDeps,
  actor: Actor,
  jobId: string,
  body: ReviewRequestBody,
): Promise<JobView> {
  const em = deps.orm.em.fork();
  const refused = await ownJob(em, actor, jobId);
  if (!refusedAutomatically(refused)) {
    throw conflict('not_refused', 'Only a job refused by our automated check can be reviewed on request.');
  }
  if (await em.count(GenerationJob, { reviewOfJobId: refused.id })) {
    throw conflict('review_requested', 'A review of this job was already asked for.');
  }
  const rerun = await insertRerun(deps, refused).catch(async (err: unknown) => {
    // Two requests at once: the unique link to the refused job lets one through.
    if (await em.fork().count(GenerationJob, { reviewOfJobId: refused.id })) {
      throw conflict('review_requested', 'A review of this job was already asked for.');
    }
    throw err;
  });
  const reviewId = await openReview(em, {
    kind: 'requested',
    subject: 'prompt',
    userId: actor.id,
    jobId: rerun.id,
    reason: refused.failureReason ?? null,
    categories: refused.moderationCategories ?? [],
    note: body.note ?? null,
  });
  await recordAudit(em, {
    action: 'moderation.review_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'job',
    targetId: refused.id,
    subjectUserId: actor.id,
    details: { reviewId, rerunJobId: rerun.id, credits: rerun.creditsQuoted },
  });
  // A re-run (reviewOfJobId) waits for its reviewer first; started later if Temporal does not answer.
  await startWorkflow(deps, rerun);
  return viewOf(em, refused);
}

/** D-ADM: a person reviews an uploaded image the classifier refused. */
export async function requestUploadReview(
  deps: UseCaseDeps,
  actor: Actor,
  assetId: string,
  body: ReviewRequestBody,
): Promise<AssetView> {
  const em = deps.orm.em.fork();
  const asset = await em.findOne(Asset, { id: assetId, user: actor.id });
  if (!asset) throw notFound('No such file.');
  if (asset.moderation !== 'refused' || asset.status !== 'stored') {
    throw conflict('not_refused', 'Only an image refused by our automated check can be reviewed on request.');
  }
  if (await em.count(ModerationReview, { assetId: asset.id })) {
    throw conflict('review_requested', 'A review of this image was already asked for.');
  }
  const reviewId = await openReview(em, {
    kind: 'requested',
    subject: 'upload',
    userId: actor.id,
    assetId: asset.id,
    reason: 'Refused by the image classifier.',
    scores: asset.moderationScores?.scores ?? null,
    note: body.note ?? null,
  });
  await recordAudit(em, {
    action: 'moderation.review_requested',
    actorId: actor.id,
    actorRole: actor.role,
    targetType: 'asset',
    targetId: asset.id,
    subjectUserId: actor.id,
    details: { reviewId },
  });
  return getAsset(deps, actor, asset.id);
}
