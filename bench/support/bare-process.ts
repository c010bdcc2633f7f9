// The bare Temporal baseline of bench/orchestration.ts, in a process of its own as the
// platform is: a worker for the baseline workflow (the platform's worker class, sized as
// the generation queue's worker, worker/tuning.ts) and a minimal HTTP endpoint that
// starts one, so the benchmark creates and observes bare jobs exactly as it does the
// platform's (an HTTP request, then the workflow's result).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from '../../config/index.ts';
import { TASK_QUEUES, searchAttributes } from '../../domain/temporal.ts';
import { createTemporalClient } from '../../platform/temporal.ts';
import { queueTuning } from '../../worker/tuning.ts';
import { UnwatchedWorker } from '../../worker/unwatched-worker.ts';
import { createBaselineActivities } from './baseline-activities.ts';
import type { baselineJobWorkflow } from './baseline-workflows.ts';
import { serveParent } from './child.ts';

export const BASELINE_TASK_QUEUE = 'bench-baseline';

const config = loadConfig(process.env);
// As quiet as the platform's worker (worker/workers.ts): the SDK's warnings only.
Runtime.install({ logger: new DefaultLogger('WARN') });
const temporal = createTemporalClient(config.temporal);
const connection = await NativeConnection.connect({ address: config.temporal.address });
const worker = await UnwatchedWorker.create({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: BASELINE_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)),
  activities: createBaselineActivities(temporal.client),
  shutdownGraceTime: '10s',
  ...queueTuning(TASK_QUEUES.generation, config),
});
const running = worker.run();

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { userId?: string };
    const jobId = randomUUID();
    const workflowId = `bench-baseline-${jobId}`;
    temporal.client.workflow
      .start<typeof baselineJobWorkflow>('baselineJobWorkflow', {
        taskQueue: BASELINE_TASK_QUEUE,
        workflowId,
        args: [{ jobId }],
        typedSearchAttributes: [
          { key: searchAttributes.userId, value: body.userId ?? jobId },
          { key: searchAttributes.jobStatus, value: 'moderating' },
        ],
      })
      .then(
        () => {
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: jobId, workflowId }));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;

serveParent({ url: `http://127.0.0.1:${port}` }, async () => {
  server.close();
  worker.shutdown();
  await running;
  await connection.close();
  await temporal.connection.close();
});
