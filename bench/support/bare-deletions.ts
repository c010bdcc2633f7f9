// The bare side of bench/retention.ts, in a process of its own as the worker is: the
// same deletions (the retention activity's, activities/retention.ts: the hold check, the
// S3 delete, the check that the object is gone, the proof row and its audit event, in
// batches of those asked for together) in a plain loop at a given concurrency, without
// Temporal.
import { loadConfig } from '../../config/index.ts';
import { createClients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import { createRetentionActivities } from '../../activities/retention.ts';
import type { AssetDeletionRequest } from '../../stores/retention.ts';
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
    const { deleteAssetObject } = createRetentionActivities(clients);
    const startedAt = now();
    let failed = 0;
    await inParallel(assets, concurrency, async (asset) => {
      const at = new Date().toISOString();
      const outcome = await deleteAssetObject({ ...asset, reason: 'timer', requestedAt: at, dueAt: at });
      if (outcome.status !== 'deleted') failed++;
    });
    return { startedAt, endedAt: now(), failed };
  },
);
