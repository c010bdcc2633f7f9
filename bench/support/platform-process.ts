// The platform side of bench/orchestration.ts, in a process of its own as the bare
// baseline is: the API and the workers of every task queue, with the provider simulator
// in instant mode standing in for Luma (the provider takes no time, so what is measured
// is what the platform adds). The simulator runs in a process of its own
// (bench/support/simulator-process.ts) and arrives as LUMA_BASE_URL. `npm start` runs the
// API and the worker as two processes; so did both sides here once (stop 41), with no
// change in the platform's figures: a job's creation took 9.5 ms on average and 31.5 at
// p99, against 8 to 9.5 and 24 to 33.6 in one process.
import { loadConfig } from '../../config/index.ts';
import { startApi } from '../../api/server.ts';
import { createClients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import { freePort } from '../../scripts/stack/process.ts';
import { startWorkers } from '../../worker/workers.ts';
import { SIMULATOR_API_KEY } from '../../tests/support/simulator/index.ts';
import { serveParent } from './child.ts';

const simulatorUrl = process.env.LUMA_BASE_URL;
if (!simulatorUrl) throw new Error('LUMA_BASE_URL: the provider simulator’s address is needed');
const port = await freePort();
const config = loadConfig({
  ...process.env,
  PUBLIC_API_URL: `http://127.0.0.1:${port}`,
  LUMA_API_KEY: SIMULATOR_API_KEY,
  LUMA_BASE_URL: simulatorUrl,
});
const logger = createLogger({ level: config.logLevel, name: 'bench-platform' });
const clients = await createClients(config, logger);
const workers = await startWorkers({ config, logger, deps: clients });
const api = await startApi(clients, { port, host: '127.0.0.1' });

serveParent({ url: api.url }, async () => {
  await api.close();
  await workers.shutdown();
  await clients.close();
});
