// Builds the workflow bundle ahead of time for production workers (WORKFLOW_BUNDLE_PATH).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createLogger } from '../platform/logger.ts';
import { buildWorkflowBundle } from './workers.ts';

const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const code = await buildWorkflowBundle(createLogger({ level: 'warn', name: 'bundle' }));
await mkdir(path.dirname(out), { recursive: true });
await writeFile(out, code);
console.log(`workflow bundle written to ${out} (${(code.length / 1024).toFixed(0)} KiB)`);
