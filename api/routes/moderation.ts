// The human review queue over HTTP (S-MOD): support and admins, with MFA.
import { z } from 'zod';
import {
  reviewDecisionBody,
  reviewDecisionResult,
  reviewQueue as queueView,
} from '../../domain/contracts/generation.ts';
import type { Role } from '../../domain/accounts.ts';
import { decideReview, reviewQueue } from '../../use-cases/moderation.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const MODERATORS: Role[] = ['support', 'admin'];

export const moderationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/moderation/queue',
    summary: 'Jobs waiting for a human review, oldest first',
    tags: ['moderation'],
    access: MODERATORS,
    response: queueView,
    handler: ({ deps, req }) => reviewQueue(deps, caller(req).user),
  }),

  defineRoute({
    method: 'post',
    path: '/api/moderation/jobs/:id/decision',
    summary: 'Approve or reject a held job, with a reason',
    tags: ['moderation'],
    access: MODERATORS,
    params: z.object({ id: z.uuid() }),
    body: reviewDecisionBody,
    response: reviewDecisionResult,
    errors: [{ status: 409, code: 'not_awaiting_review', when: 'the job is not waiting for a review' }],
    handler: ({ deps, params, body, req }) => decideReview(deps, caller(req).user, params.id, body),
  }),
];
