// How every workflow bundle is built: the workers' (worker/workers.ts), the image's
// (worker/bundle.ts) and the workflow tests' (tests/support/workflow-server.ts).
import { fileURLToPath } from 'node:url';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * The workflows' modules (workflows/, domain/ and the SDK's workflow API) are preloaded:
 * evaluated once into the worker's V8 context and shared by every run, instead of
 * evaluated again for each new run. A retention run is created for the one workflow task
 * of its life, so that evaluation was paid once per deletion (bench/README.md). Safe
 * because no workflow or domain module keeps state at module scope (a run's state lives
 * in its workflow function), and the SDK freezes what it shares, so a module that tried
 * would fail loudly rather than leak state between runs.
 */
export const WORKFLOW_BUNDLE_OPTIONS = { workflowsPath: WORKFLOWS_PATH, preloadModules: [WORKFLOWS_PATH] };
