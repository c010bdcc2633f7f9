// The API process.
import { loadConfigOrExit } from '../config/index.ts';
import { createClients } from '../platform/clients.ts';
import { createLogger } from '../platform/logger.ts';
import { startApi } from './server.ts';

const config = loadConfigOrExit();
const logger = createLogger({ level: config.logLevel, name: 'api' });
const clients = await createClients(config, logger);
const api = await startApi(clients);
logger.info({ url: api.url }, 'api listening');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    void api
      .close()
      .then(() => clients.close())
      .then(() => {
        logger.info('api stopped');
        process.exit(0);
      });
  });
}
