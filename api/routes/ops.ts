// Operators' routes: an end-to-end diagnostic run as a workflow they can open in the
// Temporal Web UI.
import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { DiagnosticCheck } from '../../db/entities/index.ts';
import { TASK_QUEUES, workflowIds } from '../../domain/temporal.ts';
import type { ApiDeps } from '../deps.ts';
import type { diagnosticWorkflow } from '../../workflows/diagnostic.ts';
import { notFound } from '../errors.ts';
import { defineRoute } from '../route.ts';

const diagnosticView = z.object({
  id: z.uuid(),
  workflowId: z.string(),
  status: z.enum(['running', 'passed', 'failed']),
  objectKey: z.string().nullable(),
  detail: z.string().nullable(),
  temporalUiUrl: z.url(),
});

export function workflowUiUrl(deps: ApiDeps, workflowId: string): string {
  const { uiUrl, namespace } = deps.config.temporal;
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

export function opsRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/ops/diagnostics',
      summary: 'Start an end-to-end diagnostic workflow (PostgreSQL, S3, Temporal)',
      tags: ['ops'],
      access: ['operator', 'admin'],
      status: 202,
      response: diagnosticView,
      handler: async () => {
        const id = randomUUID();
        const workflowId = workflowIds.diagnostic(id);
        await deps.temporal.client.workflow.start<typeof diagnosticWorkflow>('diagnosticWorkflow', {
          taskQueue: TASK_QUEUES.system,
          workflowId,
          args: [{ checkId: id }],
        });
        return {
          id,
          workflowId,
          status: 'running' as const,
          objectKey: null,
          detail: null,
          temporalUiUrl: workflowUiUrl(deps, workflowId),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/ops/diagnostics/:id',
      summary: 'A diagnostic run and its outcome',
      tags: ['ops'],
      access: ['operator', 'admin'],
      params: z.object({ id: z.uuid() }),
      response: diagnosticView,
      handler: async ({ params }) => {
        const workflowId = workflowIds.diagnostic(params.id);
        const row = await deps.orm.em.fork().findOne(DiagnosticCheck, { id: params.id });
        if (!row) {
          // The workflow may not have written its row yet.
          try {
            await deps.temporal.client.workflow.getHandle(workflowId).describe();
          } catch (err) {
            if (err instanceof WorkflowNotFoundError) throw notFound('No such diagnostic run.');
            throw err;
          }
        }
        return {
          id: params.id,
          workflowId,
          status: row?.status ?? 'running',
          objectKey: row?.objectKey ?? null,
          detail: row?.detail ?? null,
          temporalUiUrl: workflowUiUrl(deps, workflowId),
        };
      },
    }),
  ];
}
