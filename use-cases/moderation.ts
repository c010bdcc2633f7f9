// The human review queue (S-MOD): jobs held by automated moderation wait until a staff
// member approves or rejects them with a reason, which the job's workflow then acts on.
// Looking at a held job is an access to the person's data and is audited.
import { signalReviewDecision } from '../clients/generation.ts';
import { GenerationJob } from '../db/entities/index.ts';
import type { HeldJob, ReviewDecisionBody } from '../domain/contracts/generation.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { recordAudit } from '../platform/audit.ts';
import type { Actor, UseCaseDeps } from './deps.ts';

const QUEUE_LIMIT = 100;

export async function reviewQueue(deps: UseCaseDeps, staff: Actor): Promise<{ jobs: HeldJob[] }> {
  const em = deps.orm.em.fork();
  const held = await em.find(
    GenerationJob,
    // Decided ones leave the queue at once, before their workflow moves on.
    { status: 'awaiting_review', reviewedAt: null },
    { orderBy: { createdAt: 'asc' }, limit: QUEUE_LIMIT },
  );
  for (const job of held) {
    await recordAudit(em, {
      action: 'staff.viewed_job',
      actorId: staff.id,
      actorRole: staff.role,
      targetType: 'job',
      targetId: job.id,
      subjectUserId: job.user,
      details: { via: 'moderation_queue' },
    });
  }
  return {
    jobs: held.map((j) => ({
      id: j.id,
      prompt: j.prompt,
      model: j.model,
      categories: j.moderationCategories ?? [],
      inputCount: ((j.parameters as { inputs?: unknown[] }).inputs ?? []).length,
      createdAt: j.createdAt.toISOString(),
    })),
  };
}

export async function decideReview(deps: UseCaseDeps, staff: Actor, jobId: string, body: ReviewDecisionBody) {
  const em = deps.orm.em.fork();
  const job = await em.findOne(GenerationJob, { id: jobId });
  if (!job) throw notFound('No such job.');
  const decided = await em.nativeUpdate(
    GenerationJob,
    { id: job.id, status: 'awaiting_review', reviewedAt: null },
    { reviewedBy: staff.id, reviewedAt: new Date(), reviewReason: body.reason },
  );
  if (decided === 0) throw conflict('not_awaiting_review', 'This job is not waiting for a review.');
  await signalReviewDecision(deps.temporal.client, job.id, {
    approved: body.approve,
    reviewerId: staff.id,
    reason: body.reason,
  });
  await recordAudit(em, {
    action: body.approve ? 'moderation.approved' : 'moderation.rejected',
    actorId: staff.id,
    actorRole: staff.role,
    targetType: 'job',
    targetId: job.id,
    subjectUserId: job.user,
    details: { reason: body.reason },
  });
  return { id: job.id, decision: body.approve ? ('approved' as const) : ('rejected' as const) };
}
