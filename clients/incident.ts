// The Temporal client side of `incident-<id>`: starting an incident's workflow when legal
// staff record it (its deadline as the DueAt search attribute), and the authority's
// notification as a signal.
import type { Client } from '@temporalio/client';
import { TASK_QUEUES, searchAttributes, workflowIds } from '../domain/temporal.ts';
import { authorityNotifiedSignal, type IncidentInput, type incidentWorkflow } from '../workflows/incident.ts';
import { signalFor } from './signals.ts';
import { startOnce } from './start.ts';

export async function startIncident(client: Client, input: IncidentInput): Promise<string> {
  const workflowId = workflowIds.incident(input.incidentId);
  await startOnce<typeof incidentWorkflow>(client, 'incidentWorkflow', {
    taskQueue: TASK_QUEUES.privacy,
    workflowId,
    args: [input],
    typedSearchAttributes: [{ key: searchAttributes.dueAt, value: new Date(input.deadlineAt) }],
  });
  return workflowId;
}

/** The authority was notified (already written on the row): the incident's reminders stop. */
export const authorityNotifiedSignalFor = (incidentId: string) =>
  signalFor(workflowIds.incident(incidentId), authorityNotifiedSignal);
