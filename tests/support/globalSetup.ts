// Starts one real stack for the integration tests and builds the workflow bundle once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../platform/logger.ts';
import { buildWorkflowBundle } from '../../worker/workers.ts';
import { startTestStack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    mailWebUrl: string;
    /** The stack's Temporal server's Prometheus endpoint. */
    temporalMetricsUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const [stack, bundlePath] = await Promise.all([
    startTestStack(),
    (async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'clipwise-bundle-'));
      const file = path.join(dir, 'workflow-bundle.js');
      const code = await buildWorkflowBundle(createLogger({ level: 'warn', name: 'bundle' }));
      await writeFile(file, code);
      return file;
    })(),
  ]);
  project.provide('stackEnv', { ...stack.env, WORKFLOW_BUNDLE_PATH: bundlePath });
  project.provide('mailWebUrl', stack.mailWebUrl);
  project.provide('temporalMetricsUrl', stack.temporalMetricsUrl);
  return async () => {
    await stack.stop();
    await rm(path.dirname(bundlePath), { recursive: true, force: true });
  };
}
