// The worker process: runs every workflow and activity on the platform's task queues, or
// only those named in WORKER_QUEUES (comma-separated, e.g. `retention`), so a queue may
// have a process of its own.
import { loadConfigOrExit } from '../config/index.ts';
import { TASK_QUEUES, type TaskQueue } from '../domain/temporal.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { startWorkers } from './workers.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker' });
const queues = process.env.WORKER_QUEUES?.split(',').map((q) => q.trim()) as TaskQueue[] | undefined;
const unknown = queues?.filter((q) => !Object.values<string>(TASK_QUEUES).includes(q));
if (unknown?.length) {
  logger.fatal({ unknown, known: Object.values(TASK_QUEUES) }, 'WORKER_QUEUES names unknown task queues');
  process.exit(1);
}
const clients = await createClients(config, logger);
const running = await startWorkers({ config, logger, deps: clients, queues });
logger.info({ namespace: config.temporal.namespace, address: config.temporal.address }, 'worker polling');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down');
    void running.shutdown();
  });
}
try {
  await running.done;
} finally {
  await clients.close();
  logger.info('worker stopped');
}
