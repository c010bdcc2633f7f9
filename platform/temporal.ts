// The Temporal client used by the API and by activities that start or signal workflows.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/index.ts';

export interface TemporalClients {
  connection: Connection;
  client: Client;
}

/**
 * Connects lazily, so the API starts (and reports itself not ready) while Temporal is
 * still coming up, instead of failing to start.
 */
export function createTemporalClient(temporal: Config['temporal']): TemporalClients {
  const connection = Connection.lazy({
    address: temporal.address,
    connectTimeout: temporal.connectTimeoutMs,
  });
  const client = new Client({ connection, namespace: temporal.namespace });
  return { connection, client };
}

/** Fails within the timeout when the frontend does not answer. */
export async function checkTemporal(clients: TemporalClients, timeoutMs: number): Promise<void> {
  await clients.connection.withDeadline(Date.now() + timeoutMs, () =>
    clients.connection.workflowService.getSystemInfo({}),
  );
}
