// Take-down requests over HTTP (S-TAKEDOWN): anyone files one (signed in or not, rate
// limited); the creator reads the notice and answers it; the legal team (with MFA) lists
// requests with each step's time, reads one, and decides.
import { z } from 'zod';
import {
  fileTakedownBody,
  takedownAnswerBody,
  takedownDecisionBody,
  takedownFiled,
  takedownList,
  takedownListQuery,
  takedownNotice,
  takedownRecord,
} from '../../domain/contracts/takedown.ts';
import type { Role } from '../../domain/accounts.ts';
import { answerTakedown, fileTakedown, getTakedownNotice } from '../../use-cases/takedown.ts';
import { decideTakedown, getTakedown, listTakedowns } from '../../use-cases/takedown-legal.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const LEGAL: Role[] = ['legal', 'admin'];
const idParams = z.object({ id: z.uuid() });

export const takedownRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/takedowns',
    summary:
      'Ask for content to be taken down (illegal content, a deepfake of a real person, copyright): a job, a file or a link',
    tags: ['takedown'],
    access: 'public',
    rateLimit: 'report',
    body: fileTakedownBody,
    status: 201,
    response: takedownFiled,
    handler: ({ deps, body, req }) => fileTakedown(deps, req.auth?.user ?? null, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/takedowns/:id',
    summary: 'A take-down of my content: what was removed, why, and whether I may still answer',
    tags: ['takedown'],
    access: 'signed-in',
    params: idParams,
    response: takedownNotice,
    handler: ({ deps, params, req }) => getTakedownNotice(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/takedowns/:id/answer',
    summary: 'Answer a take-down of my content (the legal team reads it)',
    tags: ['takedown'],
    access: 'signed-in',
    params: idParams,
    body: takedownAnswerBody,
    response: takedownNotice,
    errors: [{ status: 409, code: 'not_answerable', when: 'the request is closed or already answered' }],
    handler: ({ deps, params, body, req }) => answerTakedown(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/takedowns',
    summary: 'Take-down requests, newest first, with each step and its time',
    tags: ['legal'],
    access: LEGAL,
    query: takedownListQuery,
    response: takedownList,
    handler: ({ deps, query, req }) => listTakedowns(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/takedowns/:id',
    summary: 'One take-down request, its steps and proofs (the access is audited)',
    tags: ['legal'],
    access: LEGAL,
    params: idParams,
    response: takedownRecord,
    handler: ({ deps, params, req }) => getTakedown(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'post',
    path: '/api/legal/takedowns/:id/decision',
    summary:
      'Uphold (remove the content and all made from it, with proofs) or reject a take-down, with a reason',
    tags: ['legal'],
    access: LEGAL,
    params: idParams,
    body: takedownDecisionBody,
    response: takedownRecord,
    errors: [{ status: 409, code: 'already_decided', when: 'the request was already decided' }],
    handler: ({ deps, params, body, req }) => decideTakedown(deps, caller(req).user, params.id, body),
  }),
];
