// The worker process: runs every workflow and activity on the platform's task queues.
import { loadConfigOrExit } from '../config/index.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { startWorkers } from './workers.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'worker' });
const clients = await createClients(config, logger);
const running = await startWorkers({ config, logger, deps: clients });
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
