// The human review queue (S-MOD): jobs held by automated moderation wait here until a
// staff member approves or rejects them with a reason. Looking at a held job is an
// access to the person's data and is audited.
import { z } from 'zod';
import { GenerationJob } from '../../db/entities/index.ts';
import { workflowIds } from '../../domain/temporal.ts';
import { recordAudit } from '../../platform/audit.ts';
import { reviewDecisionSignal } from '../../workflows/generation.ts';
import { caller } from '../auth/access.ts';
import type { ApiDeps } from '../deps.ts';
import { conflict, notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';
import type { Role } from '../../domain/accounts.ts';

const MODERATORS: Role[] = ['support', 'admin'];

export function moderationRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/moderation/queue',
      summary: 'Jobs waiting for a human review, oldest first',
      tags: ['moderation'],
      access: MODERATORS,
      handler: async ({ req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const held = await em.find(
          GenerationJob,
          // Decided ones leave the queue at once, before their workflow moves on.
          { status: 'awaiting_review', reviewedAt: null },
          { orderBy: { createdAt: 'asc' }, limit: 100 },
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
      },
    }),

    defineRoute({
      method: 'post',
      path: '/api/moderation/jobs/:id/decision',
      summary: 'Approve or reject a held job, with a reason',
      tags: ['moderation'],
      access: MODERATORS,
      params: z.object({ id: z.uuid() }),
      body: z.object({ approve: z.boolean(), reason: z.string().trim().min(3).max(1000) }),
      handler: async ({ params, body, req }) => {
        const staff = caller(req).user;
        const em = deps.orm.em.fork();
        const job = await em.findOne(GenerationJob, { id: params.id });
        if (!job) throw notFound('No such job.');
        const decided = await em.nativeUpdate(
          GenerationJob,
          { id: job.id, status: 'awaiting_review', reviewedAt: null },
          { reviewedBy: staff.id, reviewedAt: new Date(), reviewReason: body.reason },
        );
        if (decided === 0) throw conflict('not_awaiting_review', 'This job is not waiting for a review.');
        await deps.temporal.client.workflow
          .getHandle(workflowIds.generation(job.id))
          .signal(reviewDecisionSignal, {
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
        return { id: job.id, decision: body.approve ? 'approved' : 'rejected' };
      },
    }),
  ];
}
