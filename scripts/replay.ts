// `npm run replay -- <history.json> [more.json …] [--bundle <file>]`: replays workflow
// histories (downloaded from the Temporal Web UI, or `temporal workflow show --output
// json`) against this checkout's workflow code, with the SDK's replayer. A history that
// the code no longer reproduces (a nondeterministic change) is reported with the SDK's
// error and the command exits 1, before such code reaches workers with open workflows.
// The code replayed is the worker's own bundle: WORKFLOW_BUNDLE_PATH (as production
// workers load it) or `--bundle`, else a bundle built from workflows/ now.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/index.ts';
import { createLogger } from '../platform/logger.ts';
import { buildWorkflowBundle } from '../worker/workers.ts';

const USAGE = 'Usage: npm run replay -- <history.json> [more.json …] [--bundle <workflow-bundle.js>]';

const { values, positionals } = parseArgs({
  options: { bundle: { type: 'string' } },
  allowPositionals: true,
});
if (positionals.length === 0) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(64); // EX_USAGE
}

const config = loadConfigOrExit();
// The replayer's own start-up lines are noise here; its warnings and errors are not.
Runtime.install({ logger: new DefaultLogger('WARN') });
const bundlePath = values.bundle ?? config.temporal.workflowBundlePath;
const workflowBundle: WorkflowBundle = bundlePath
  ? { code: await readFile(bundlePath, 'utf8') }
  : { code: await buildWorkflowBundle(createLogger({ level: 'warn', name: 'bundle' })) };

interface HistoryJson {
  events: {
    eventType?: string;
    workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } };
  }[];
}

/** The exported JSON is `{ "events": [...] }` (the replayer converts it); a bare array is accepted too. */
async function readHistory(file: string) {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as HistoryJson | HistoryJson['events'];
  const history = Array.isArray(parsed) ? { events: parsed } : parsed;
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (!started)
    throw new Error('its first event is not WorkflowExecutionStarted: not a whole workflow history');
  return { history, workflowType: started.workflowType?.name ?? 'unknown', events: history.events.length };
}

let failed = 0;
for (const file of positionals) {
  // The replayer needs an id for its logs; the file name is the one an operator chose.
  const workflowId = path.basename(file, '.json');
  try {
    const { history, workflowType, events } = await readHistory(file);
    await Worker.runReplayHistory({ workflowBundle }, history, workflowId);
    console.log(`ok    ${file}: ${workflowType}, ${events} events replayed deterministically`);
  } catch (err) {
    failed++;
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    console.log(`FAIL  ${file}: ${name}: ${message}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
