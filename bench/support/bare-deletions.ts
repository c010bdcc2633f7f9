// The bare side of bench/retention.ts, in a process of its own as the worker is: the
// same deletions (stores/retention.ts deleteAsset: the hold check, the S3 delete, the
// check that the object is gone, the proof row and its audit event) in a plain loop at
// a given concurrency, without Temporal.
import { loadConfig } from '../../config/index.ts';
import { createClients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import { deleteAsset, type AssetDeletionRequest } from '../../stores/retention.ts';
import { serveParent } from './child.ts';
import { inParallel, now } from './figures.ts';

const config = loadConfig(process.env);
const clients = await createClients(config, createLogger({ level: config.logLevel, name: 'bench-bare' }));

serveParent(
  {},
  () => clients.close(),
  async (request) => {
    const { assets, concurrency } = request as unknown as {
      assets: Omit<AssetDeletionRequest, 'reason' | 'requestedAt'>[];
      concurrency: number;
    };
    const startedAt = now();
    let failed = 0;
    await inParallel(assets, concurrency, async (asset) => {
      const outcome = await deleteAsset(clients, {
        ...asset,
        reason: 'timer',
        requestedAt: new Date().toISOString(),
      });
      if (outcome.status !== 'deleted') failed++;
    });
    return { startedAt, endedAt: now(), failed };
  },
);
