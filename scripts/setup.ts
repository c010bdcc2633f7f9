// One-shot set-up for a deployment: applies migrations and makes sure the bucket exists
// with AES-256 default encryption. docker-compose runs it before api and worker start.
import { loadConfigOrExit } from '../config/index.ts';
import { closeOrm, getOrm, migrate } from '../db/orm.ts';
import { createObjectStore, ensureBucket } from '../platform/s3.ts';

const config = loadConfigOrExit();
const orm = await getOrm(config.database);
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');
} finally {
  await closeOrm(config.database);
}
const store = createObjectStore(config.s3);
await ensureBucket(store);
store.client.destroy();
console.log(`bucket ${config.s3.bucket} ready, default encryption ${config.s3.serverSideEncryption}`);
