// The legal team's holds over HTTP (R-HOLD): place, release, list. Legal role with MFA.
import { z } from 'zod';
import {
  holdListQuery,
  legalHoldChange,
  legalHoldList,
  placeHoldBody,
  releaseHoldBody,
} from '../../domain/contracts/legal-hold.ts';
import { listHolds, placeHold, releaseHold } from '../../use-cases/legal-hold.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';

const HOLD_ROLES = ['legal', 'admin'] as const;

export const legalHoldRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/legal/holds',
    summary: 'Place a legal hold on a person (all their files) or on one file, with a reason',
    tags: ['legal'],
    access: HOLD_ROLES,
    status: 201,
    body: placeHoldBody,
    response: legalHoldChange,
    errors: [
      { status: 404, code: 'not_found', when: 'the file or account named does not exist' },
      { status: 409, code: 'asset_deleted', when: 'the file is already deleted' },
    ],
    handler: ({ deps, body, req }) => placeHold(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/legal/holds/:id/release',
    summary: 'Release a legal hold, with a reason; deletions it deferred resume',
    tags: ['legal'],
    access: HOLD_ROLES,
    params: z.object({ id: z.uuid() }),
    body: releaseHoldBody,
    response: legalHoldChange,
    errors: [{ status: 409, code: 'hold_released', when: 'the hold is already released' }],
    handler: ({ deps, params, body, req }) => releaseHold(deps, caller(req).user, params.id, body),
  }),

  defineRoute({
    method: 'get',
    path: '/api/legal/holds',
    summary: 'Legal holds, newest first; filter by person, file or whether active',
    tags: ['legal'],
    access: HOLD_ROLES,
    query: holdListQuery,
    response: legalHoldList,
    handler: ({ deps, query }) => listHolds(deps, query),
  }),
];
