// Operators' diagnostics: an end-to-end check (PostgreSQL, S3 with its encryption,
// Temporal) run as a workflow they open in the Temporal Web UI, and the links to any
// workflow or to all of one person's workflows there.
import { randomUUID } from 'node:crypto';
import { diagnosticExists, startDiagnostic } from '../clients/diagnostic.ts';
import type { Config } from '../config/index.ts';
import { DiagnosticCheck } from '../db/entities/index.ts';
import type { DiagnosticView } from '../domain/contracts/diagnostic.ts';
import { notFound } from '../domain/errors.ts';
import { workflowIds } from '../domain/temporal.ts';
import type { UseCaseDeps } from './deps.ts';

/** A workflow's page in the Temporal Web UI, and the list of a person's workflows (search attribute UserId). */
export function temporalUiLinks(
  config: Pick<Config, 'temporal'>,
  workflowId: string,
  userId: string | null = null,
): { workflow: string; user: string | null } {
  const { uiUrl, namespace } = config.temporal;
  const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows`;
  return {
    workflow: `${base}/${encodeURIComponent(workflowId)}`,
    user: userId ? `${base}?query=${encodeURIComponent(`UserId="${userId}"`)}` : null,
  };
}

export async function runDiagnostic(deps: UseCaseDeps): Promise<DiagnosticView> {
  const id = randomUUID();
  const workflowId = await startDiagnostic(deps.temporal.client, id);
  return {
    id,
    workflowId,
    status: 'running',
    objectKey: null,
    detail: null,
    temporalUiUrl: temporalUiLinks(deps.config, workflowId).workflow,
  };
}

export async function getDiagnostic(deps: UseCaseDeps, id: string): Promise<DiagnosticView> {
  const row = await deps.orm.em.fork().findOne(DiagnosticCheck, { id });
  if (!row && !(await diagnosticExists(deps.temporal.client, id))) throw notFound('No such diagnostic run.');
  const workflowId = workflowIds.diagnostic(id);
  return {
    id,
    workflowId,
    status: row?.status ?? 'running',
    objectKey: row?.objectKey ?? null,
    detail: row?.detail ?? null,
    temporalUiUrl: temporalUiLinks(deps.config, workflowId).workflow,
  };
}
