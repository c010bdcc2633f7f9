// Fallback for machines with internet and no Go: lets the Temporal SDK download its
// own build of the CLI, then links it into the tools folder as `temporal`.
import { readdir, symlink, rm } from 'node:fs/promises';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';

const bin = process.argv[2];
if (!bin) throw new Error('usage: download-temporal.ts <tools bin dir>');
const downloadDir = path.join(bin, '..', 'temporal-download');
const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: { type: 'cached-download', downloadDir, ttl: '3650d' }, ui: false },
});
await env.teardown();
const file = (await readdir(downloadDir)).find(
  (f) => f.startsWith('temporal') && !f.endsWith('.tar.gz') && !f.endsWith('.zip'),
);
if (!file) throw new Error(`the SDK download left no temporal binary in ${downloadDir}`);
await rm(path.join(bin, 'temporal'), { force: true });
await symlink(path.join(downloadDir, file), path.join(bin, 'temporal'));
console.log(`temporal CLI downloaded to ${path.join(downloadDir, file)}`);
