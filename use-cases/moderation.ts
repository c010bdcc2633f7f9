// The human review queue (S-MOD, D-ADM): jobs and uploaded images held by automated
// moderation, and refusals a creator asked a person to look at, wait until a staff member
// approves or rejects them with a reason. A job's workflow acts on the decision; a file's
// moderation changes here. The creator is emailed the decision and its reason; looking at
// a held job or file is an access to the person's data, and every step is audited.
import type { EntityManager } from '@mikro-orm/postgresql';
import { reviewDecisionSignalFor } from '../clients/generation.ts';
import { Asset, GenerationJob, ModerationReview, User } from '../db/entities/index.ts';
import type { HeldJob, ReviewDecisionBody } from '../domain/contracts/generation.ts';
import type { HeldUpload } from '../domain/contracts/moderation.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { REVIEW_QUEUE_LIMIT } from '../domain/moderation.ts';
import { DOWNLOAD_URL_TTL_SECONDS } from '../domain/retention.ts';
import { recordAudit, recordAudits, type AuditInput } from '../platform/audit.ts';
import { emails } from '../platform/emails.ts';
import { presignDownload } from '../platform/objects.ts';
import { sendLoggedMail } from '../stores/mail.ts';
import type { Actor, UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';

/** A staff member's look at a held job or file, for the person's audit trail. */
const viewedReview = (staff: Actor, review: ModerationReview): AuditInput => ({
  action: review.assetId && review.subject === 'upload' ? 'staff.viewed_asset' : 'staff.viewed_job',
  actorId: staff.id,
  actorRole: staff.role,
  targetType: review.subject === 'upload' ? 'asset' : 'job',
  targetId: review.subject === 'upload' ? review.assetId : review.jobId,
  subjectUserId: review.user,
  details: { via: 'moderation_queue', reviewId: review.id },
});

export async function reviewQueue(
  deps: UseCaseDeps,
  staff: Actor,
): Promise<{ jobs: HeldJob[]; uploads: HeldUpload[] }> {
  const em = deps.orm.em.fork();
  const open = await em.find(
    ModerationReview,
    // Decided ones leave the queue at once, before a workflow moves on.
    { decidedAt: null },
    { orderBy: { createdAt: 'asc' }, limit: REVIEW_QUEUE_LIMIT },
  );
  const jobIds = open.filter((r) => r.jobId && r.subject !== 'upload').map((r) => r.jobId!);
  const jobs = new Map(
    (jobIds.length ? await em.find(GenerationJob, { id: { $in: jobIds } }) : []).map((j) => [j.id, j]),
  );
  // Every record the queue shows is a look at a person's data: one append for all of them.
  await recordAudits(
    em,
    open.map((review) => viewedReview(staff, review)),
  );
  const held: HeldJob[] = [];
  const uploads: HeldUpload[] = [];
  for (const review of open) {
    const common = {
      reviewId: review.id,
      kind: review.kind,
      reason: review.reason ?? null,
      categories: review.categories ?? [],
      scores: review.scores ?? null,
      note: review.note ?? null,
      createdAt: review.createdAt.toISOString(),
    };
    if (review.subject === 'upload') {
      uploads.push({ ...common, assetId: review.assetId! });
      continue;
    }
    const job = jobs.get(review.jobId!);
    if (!job) continue;
    held.push({
      ...common,
      id: job.id,
      prompt: job.prompt,
      model: job.model,
      subject: review.subject,
      inputCount: ((job.parameters as { inputs?: unknown[] }).inputs ?? []).length,
      categories: review.categories?.length ? review.categories : (job.moderationCategories ?? []),
      reviewOfJobId: job.reviewOfJobId ?? null,
    });
  }
  return { jobs: held, uploads };
}

/** Records the decision on an open review, once: a second decision finds it closed. */
async function closeReview(
  em: EntityManager,
  review: ModerationReview,
  staff: Actor,
  body: ReviewDecisionBody,
) {
  const decided = await em.nativeUpdate(
    ModerationReview,
    { id: review.id, decidedAt: null },
    { decidedAt: new Date(), decidedBy: staff.id, approved: body.approve, decisionReason: body.reason },
  );
  if (decided === 0) throw conflict('not_awaiting_review', 'This is not waiting for a review.');
}

/** D-ADM: the creator hears the decision and its reason, once per review. */
async function tellCreator(
  deps: UseCaseDeps,
  em: EntityManager,
  review: ModerationReview,
  body: ReviewDecisionBody,
  what: string,
  path: string,
) {
  const user = await em.fork().findOne(User, { id: review.user, status: { $ne: 'deleted' } });
  if (!user) return;
  await sendLoggedMail(
    deps,
    em,
    {
      dedupeKey: `review:${review.id}`,
      userId: user.id,
      template: 'review_decided',
      category: 'transactional',
    },
    emails.reviewDecided(user.email, what, body.approve, body.reason, `${deps.config.web.publicUrl}${path}`),
  );
}

const WHAT: Record<ModerationReview['subject'], string> = {
  prompt: 'your video request',
  output: 'your finished video before its release',
  upload: 'your uploaded image',
};

/** Decides a job's open review: its prompt (held, or re-run on request) or its held video. */
export async function decideReview(deps: UseCaseDeps, staff: Actor, jobId: string, body: ReviewDecisionBody) {
  const em = deps.orm.em.fork();
  const job = await em.findOne(GenerationJob, { id: jobId });
  if (!job) throw notFound('No such job.');
  const review = await em.findOne(
    ModerationReview,
    { jobId: job.id, decidedAt: null, subject: { $in: ['prompt', 'output'] } },
    { orderBy: { createdAt: 'desc' } },
  );
  // An upload's review is never the job's: the query leaves it out, the check says so to the types.
  if (!review || review.subject === 'upload' || job.status !== 'awaiting_review') {
    throw conflict('not_awaiting_review', 'This job is not waiting for a review.');
  }
  await closeReview(em, review, staff, body);
  await em.nativeUpdate(
    GenerationJob,
    { id: job.id },
    { reviewedBy: staff.id, reviewedAt: new Date(), reviewReason: body.reason },
  );
  // A released video is downloadable as soon as the person says so.
  if (review.subject === 'output' && body.approve && review.assetId) {
    await em.nativeUpdate(Asset, { id: review.assetId }, { moderation: 'approved' });
  }
  // Decided: answered as decided even while Temporal does not answer (use-cases/signals.ts).
  await tell(deps, [
    reviewDecisionSignalFor(job.id, {
      approved: body.approve,
      reviewerId: staff.id,
      reason: body.reason,
      subject: review.subject,
    }),
  ]);
  await recordAudit(em, {
    action: body.approve ? 'moderation.approved' : 'moderation.rejected',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'job',
    targetId: job.id,
    subjectUserId: job.user,
    details: { reason: body.reason, reviewId: review.id, subject: review.subject, kind: review.kind },
  });
  await tellCreator(deps, em, review, body, WHAT[review.subject], `/jobs/${job.id}`);
  return { id: job.id, decision: body.approve ? ('approved' as const) : ('rejected' as const) };
}

/** Decides an uploaded image's review: usable from now on, or not. */
export async function decideUploadReview(
  deps: UseCaseDeps,
  staff: Actor,
  assetId: string,
  body: ReviewDecisionBody,
) {
  const em = deps.orm.em.fork();
  const review = await em.findOne(ModerationReview, { assetId, subject: 'upload' });
  if (!review || review.decidedAt)
    throw conflict('not_awaiting_review', 'This file is not waiting for a review.');
  await closeReview(em, review, staff, body);
  await em.nativeUpdate(Asset, { id: assetId }, { moderation: body.approve ? 'approved' : 'rejected' });
  await recordAudit(em, {
    action: body.approve ? 'moderation.approved' : 'moderation.rejected',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'asset',
    targetId: assetId,
    subjectUserId: review.user,
    details: { reason: body.reason, reviewId: review.id, subject: 'upload', kind: review.kind },
  });
  await tellCreator(deps, em, review, body, WHAT.upload, '/library');
  return { id: assetId, decision: body.approve ? ('approved' as const) : ('rejected' as const) };
}

/** A short link for the reviewer to look at the image or video under review; audited. */
export async function reviewMedia(deps: UseCaseDeps, staff: Actor, reviewId: string) {
  const em = deps.orm.em.fork();
  const review = await em.findOne(ModerationReview, { id: reviewId });
  if (!review?.assetId) throw notFound('This review has no file to look at.');
  const asset = await em.findOne(Asset, { id: review.assetId, status: 'stored' });
  if (!asset) throw notFound('The file is no longer stored.');
  await recordAudit(em, {
    action: 'staff.viewed_asset',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'asset',
    targetId: asset.id,
    subjectUserId: asset.user ?? null,
    details: { via: 'moderation_review', reviewId },
  });
  const url = await presignDownload(deps.store, asset.objectKey, DOWNLOAD_URL_TTL_SECONDS);
  return {
    url,
    expiresAt: new Date(Date.now() + DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString(),
    contentType: asset.contentType ?? 'application/octet-stream',
  };
}
