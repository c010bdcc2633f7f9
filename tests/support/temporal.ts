// Each integration test file gets its own Temporal namespace, so its workflows, task
// queues and workers never meet another file's.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, type WorkflowHandle } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import protos from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../../domain/temporal.ts';

// The package is CommonJS; its namespaces come through the default export under plain Node.
const proto = protos.temporal;
const TYPES: Record<string, protos.temporal.api.enums.v1.IndexedValueType> = {
  Keyword: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Datetime: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Text: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  Int: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
  Bool: proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

export async function createTestNamespace(address: string, prefix = 'test'): Promise<string> {
  const namespace = `${prefix}-${randomBytes(5).toString('hex')}`;
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const searchAttributes = Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTES).map(([name, type]) => [name, TYPES[type]!]),
    );
    for (let attempt = 0; ; attempt++) {
      try {
        await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        break;
      } catch (err) {
        if (attempt > 50) throw err;
        await sleep(100);
      }
    }
    return namespace;
  } finally {
    await connection.close();
  }
}

/**
 * Waits until a running workflow is at rest: no activity and no workflow task pending, so
 * every signal it was sent has been handled and it waits on a timer or a condition. A
 * "nothing happened" check made after this is about what the workflow decided, not about
 * how long the test waited.
 */
export async function waitForWorkflowAtRest(handle: WorkflowHandle, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, raw } = await handle.describe();
    if (status.name !== 'RUNNING')
      throw new Error(`workflow ${handle.workflowId} is ${status.name}, not waiting`);
    if ((raw.pendingActivities ?? []).length === 0 && !raw.pendingWorkflowTask) return;
    if (Date.now() > deadline)
      throw new Error(`workflow ${handle.workflowId} not at rest within ${timeoutMs} ms`);
    await sleep(100);
  }
}
