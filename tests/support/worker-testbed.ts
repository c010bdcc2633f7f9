// A Temporal namespace of a test file's own with a worker's connection and a client, for
// the tests that build the SDK's workers themselves rather than the platform's.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import { createTestNamespace } from './temporal.ts';

export interface WorkerTestbed {
  namespace: string;
  /** For workers. */
  native: NativeConnection;
  client: Client;
  close(): Promise<void>;
}

export async function workerTestbed(address: string): Promise<WorkerTestbed> {
  const namespace = await createTestNamespace(address);
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  return {
    namespace,
    native,
    client: new Client({ connection, namespace }),
    async close() {
      await native.close();
      await connection.close();
    },
  };
}

/**
 * A testbed on the run's stack for the calling file's tests: opened before them, closed
 * after them. Call it inside a `describe`; the answer gives the testbed once it is open.
 */
export function useWorkerTestbed(): () => WorkerTestbed {
  let bed: WorkerTestbed | undefined;
  beforeAll(async () => {
    bed = await workerTestbed(inject('stackEnv').TEMPORAL_ADDRESS!);
  });
  afterAll(async () => {
    await bed?.close();
  });
  return () => {
    if (!bed) throw new Error('the worker testbed is not open yet: use it inside a test');
    return bed;
  };
}
