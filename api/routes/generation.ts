// Generation jobs over HTTP: models, price quotes, job creation that is safe to retry
// (Idempotency-Key), job history, the job's live view (JSON, and server-sent events
// pushed as PostgreSQL announces each change), cancellation, revision chains, and the
// operators' view. Every read comes from PostgreSQL, never from the job's workflow.
import { z } from 'zod';
import {
  createJobBody,
  createJobHeaders,
  jobListQuery,
  jobPage,
  jobRequest,
  jobView,
  modelList,
  opsJobView,
  quote,
  revisionChain,
} from '../../domain/contracts/generation.ts';
import { createJob, offeredModels, quoteJob } from '../../use-cases/generation.ts';
import { cancelJob } from '../../use-cases/generation-cancel.ts';
import {
  getJob,
  listJobs,
  opsJob,
  revisionChain as chainOf,
  watchJob,
} from '../../use-cases/generation-view.ts';
import { caller } from '../auth/access.ts';
import { defineRoute } from '../route.ts';
import { serverSentEvents } from '../sse.ts';

const idParams = z.object({ id: z.uuid() });

export const generationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/models',
    summary: 'Models offered here, with what each supports and its price per second',
    tags: ['generation'],
    access: 'public',
    response: modelList,
    handler: ({ deps }) => offeredModels(deps),
  }),

  defineRoute({
    method: 'post',
    path: '/api/quotes',
    summary: 'The price of a job in credits, with a quote id valid for a few minutes',
    tags: ['generation'],
    access: 'verified',
    body: jobRequest,
    status: 201,
    response: quote,
    handler: ({ deps, body, req }) => quoteJob(deps, caller(req).user, body),
  }),

  defineRoute({
    method: 'post',
    path: '/api/jobs',
    summary: 'Create a job (needs an Idempotency-Key header: the same key answers with the same job)',
    tags: ['generation'],
    access: 'verified',
    rateLimit: 'generation',
    headers: createJobHeaders,
    body: createJobBody,
    status: 201,
    alsoAnswers: [{ status: 200, when: 'a retry with the same Idempotency-Key and body: the job it made' }],
    response: jobView,
    errors: [
      { status: 402, code: 'insufficient_credits', when: 'the balance does not cover the price' },
      { status: 403, code: 'processing_restricted', when: 'the person restricted processing of their data' },
      { status: 404, code: 'not_found', when: 'the parent job named (parentJobId) is not one of yours' },
      { status: 409, code: 'idempotency_key_reused', when: 'the key was used for a different job' },
      { status: 409, code: 'quote_expired', when: 'the quote given has expired' },
    ],
    handler: async ({ deps, headers, body, req, res }) => {
      const created = await createJob(deps, caller(req).user, headers['Idempotency-Key'], body);
      if (created.replayed) res.locals.status = 200;
      return created.view;
    },
  }),

  defineRoute({
    method: 'get',
    path: '/api/jobs',
    summary: 'My jobs, newest first, filtered by status or model, page by page',
    tags: ['generation'],
    access: 'signed-in',
    // An open job page and the job list ask again and again.
    sessionCache: true,
    query: jobListQuery,
    response: jobPage,
    handler: ({ deps, query, req }) => listJobs(deps, caller(req).user, query),
  }),

  defineRoute({
    method: 'get',
    path: '/api/jobs/:id',
    summary: 'One of my jobs, with its live progress while it runs',
    tags: ['generation'],
    access: 'signed-in',
    // An open job page and the job list ask again and again.
    sessionCache: true,
    params: idParams,
    response: jobView,
    handler: ({ deps, params, req }) => getJob(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/jobs/:id/events',
    summary: 'Live progress as server-sent events (`progress`, the job view), until the job ends',
    tags: ['generation'],
    access: 'signed-in',
    params: idParams,
    handler: ({ deps, params, req, res }) =>
      serverSentEvents(req, res, (send, signal) =>
        watchJob(deps, caller(req).user, params.id, (view) => send('progress', view), signal),
      ),
  }),

  defineRoute({
    method: 'post',
    path: '/api/jobs/:id/cancel',
    summary:
      'Cancel a job: its provider task is cancelled and the credits released; answers with the final state, or, while part of the platform does not answer, with the job as it stands and `cancelRequestedAt` set (the cancel is made once it answers)',
    tags: ['generation'],
    access: 'signed-in',
    params: idParams,
    response: jobView,
    errors: [{ status: 409, code: 'job_finished', when: 'the job has already ended' }],
    handler: ({ deps, params, req }) => cancelJob(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/jobs/:id/revisions',
    summary: 'The chain of revisions a job belongs to, oldest first',
    tags: ['generation'],
    access: 'signed-in',
    params: idParams,
    response: revisionChain,
    handler: ({ deps, params, req }) => chainOf(deps, caller(req).user, params.id),
  }),

  defineRoute({
    method: 'get',
    path: '/api/ops/jobs/:id',
    summary: "Any job, with its workflow's link in the Temporal Web UI",
    tags: ['ops'],
    access: ['operator', 'admin'],
    params: idParams,
    response: opsJobView,
    handler: ({ deps, params, req }) => opsJob(deps, caller(req).user, params.id),
  }),
];
