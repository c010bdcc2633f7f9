// The worker process: runs the workflows and activities of the task queues it polls
// (WORKER_QUEUES, all of them by default), so a queue may have worker processes of its own.
import { loadConfigOrExit } from '../config/index.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { startWorkers } from './workers.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker' });
const clients = await createClients(config, logger);
const running = await startWorkers({ config, logger, deps: clients });
logger.info(
  {
    namespace: config.temporal.namespace,
    address: config.temporal.address,
    queues: config.worker.queues,
    metrics: config.worker.metricsAddress ? `http://${config.worker.metricsAddress}/metrics` : null,
  },
  'worker polling',
);

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
