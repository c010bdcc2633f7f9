// The Temporal client used by the API and by activities that start or signal workflows.
import {
  Client,
  Connection,
  ServiceError,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';
import type { Config } from '../config/index.ts';
import { TEMPORAL_CALL_ATTEMPTS, TEMPORAL_RECONNECT_BACKOFF_MS } from '../domain/temporal.ts';

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
    channelArgs: {
      // After an outage gRPC waits up to 2 minutes between reconnects (its default), and
      // the API answered 503 that long after Temporal was back: 5 s at most.
      'grpc.initial_reconnect_backoff_ms': TEMPORAL_RECONNECT_BACKOFF_MS.initial,
      'grpc.max_reconnect_backoff_ms': TEMPORAL_RECONNECT_BACKOFF_MS.max,
    },
    // The client's own retry, with its backoff, for fewer tries: a few seconds, not 20.
    interceptors: [
      makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: TEMPORAL_CALL_ATTEMPTS })),
    ],
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

/** gRPC's codes for a frontend that is down or unreachable, and for one out of time. */
const NOT_ANSWERING = new Set([14 /* UNAVAILABLE */, 4 /* DEADLINE_EXCEEDED */]);

/**
 * Temporal's frontend did not answer a call (down, unreachable, out of time), as opposed
 * to answering it with a refusal: the caller may try again later.
 */
export function isTemporalUnavailable(err: unknown): boolean {
  if (!(err instanceof ServiceError)) return false;
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' && NOT_ANSWERING.has(code);
}
