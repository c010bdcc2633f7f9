// Operators' routes: an end-to-end diagnostic run as a workflow they can open in the
// Temporal Web UI.
import { z } from 'zod';
import { diagnosticView } from '../../domain/contracts/diagnostic.ts';
import { getDiagnostic, runDiagnostic } from '../../use-cases/diagnostic.ts';
import { defineRoute } from '../route.ts';

const OPERATORS = ['operator', 'admin'] as const;

export const diagnosticRoutes = [
  defineRoute({
    method: 'post',
    path: '/api/ops/diagnostics',
    summary: 'Start an end-to-end diagnostic workflow (PostgreSQL, S3, Temporal)',
    tags: ['ops'],
    access: OPERATORS,
    status: 202,
    response: diagnosticView,
    handler: ({ deps }) => runDiagnostic(deps),
  }),
  defineRoute({
    method: 'get',
    path: '/api/ops/diagnostics/:id',
    summary: 'A diagnostic run and its outcome',
    tags: ['ops'],
    access: OPERATORS,
    params: z.object({ id: z.uuid() }),
    response: diagnosticView,
    handler: ({ deps, params }) => getDiagnostic(deps, params.id),
  }),
];
