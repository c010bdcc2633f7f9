// Moderation over HTTP (S-MOD, D-ADM): the human review queue for support and admins
// (with MFA), their decisions and a look at the image or video under review; and a
// creator's request for a person's review of an automatic refusal.
import { z } from 'zod';
import {
  jobView,
  reviewDecisionBody,
  reviewDecisionResult,
  reviewQueue as queueView,
} from '../../domain/contracts/generation.ts';
import { reviewMediaLink, reviewRequestBody } from '../../domain/contracts/moderation.ts';
import { assetView } from '../../domain/contracts/retention.ts';
import type { Role } from '../../domain/accounts.ts';
import { decideReview, decideUploadReview, reviewMedia, reviewQueue } from '../../use-cases/moderation.ts';
import { requestJobReview, requestUploadReview } from '../../use-cases/moderation-request.ts';
import { caller } from '../auth/access.ts';
import { MAIL_UNAVAILABLE, defineRoute } from '../route.ts';

const MODERATORS: Role[] = ['support', 'admin'];
const idParams = z.object({ id: z.uuid() });
const notWaiting = {
  status: 409,
  code: 'not_awaiting_review',
  when: 'it is not waiting for a review',
} as const;

export const moderationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/moderation/queue',
    summary: 'Jobs and uploaded images waiting for a human review, oldest first',
    tags: ['moderation'],
    access: MODERATORS,
    response: queueView,
    handler: ({ deps, req }) => reviewQueue(deps, caller(req).user),
  }),

  defineRoute({
    method: 'post',
    path: '/api/moderation/jobs/:id/decision',
    summary: "Approve or reject a job's open review (its prompt or its held video), with a reason",
    tags: ['moderation'],
    access: MODERATORS,
    params: idParams,
    body: reviewDecisionBody,
    response: reviewDecisionResult,
    errors: [notWaiting, MAIL_UNAVAILABLE],
    handler: ({ deps, params, body, req }) => decideReview(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/moderation/uploads/:id/decision',
    summary: "Approve or reject an uploaded image's review, with a reason",
    tags: ['moderation'],
    access: MODERATORS,
    params: idParams,
    body: reviewDecisionBody,
    response: reviewDecisionResult,
    errors: [notWaiting, MAIL_UNAVAILABLE],
    handler: ({ deps, params, body, req }) => decideUploadReview(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/moderation/reviews/:id/media',
    summary: 'A short link to the image or video under review (the access is audited)',
    tags: ['moderation'],
    access: MODERATORS,
    params: idParams,
    response: reviewMediaLink,
    handler: ({ deps, params, req }) => reviewMedia(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/jobs/:id/review-request',
    summary:
      "Ask for a person's review of a job refused by automated moderation; approved, it runs at its quoted price (reserved now)",
    tags: ['moderation'],
    access: 'verified',
    params: idParams,
    body: reviewRequestBody,
    status: 201,
    response: jobView,
    errors: [
      { status: 402, code: 'insufficient_credits', when: 'the balance does not cover the quoted price' },
      { status: 409, code: 'not_refused', when: 'the job was not refused by automated moderation' },
      { status: 409, code: 'review_requested', when: 'a review was already asked for' },
    ],
    handler: ({ deps, params, body, req }) => requestJobReview(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/assets/:id/review-request',
    summary: "Ask for a person's review of an uploaded image refused by the classifier",
    tags: ['moderation'],
    access: 'verified',
    params: idParams,
    body: reviewRequestBody,
    status: 201,
    response: assetView,
    errors: [
      { status: 409, code: 'not_refused', when: 'the image was not refused by the classifier' },
      { status: 409, code: 'review_requested', when: 'a review was already asked for' },
    ],
    handler: ({ deps, params, body, req }) => requestUploadReview(deps, caller(req).user, params.id, body),
  }),
];
