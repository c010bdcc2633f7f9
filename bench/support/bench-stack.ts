// The stack a benchmark runs on and this process's clients to it, each handed to
// `running` as soon as it is up, so a start-up that fails half-way stops what it started.
import { loadConfig } from '../../config/index.ts';
import { createClients } from '../../platform/clients.ts';
import { createLogger } from '../../platform/logger.ts';
import { startTestStack, type TestStackOptions } from '../../tests/support/stack.ts';
import type { Started } from './started.ts';

export async function startBenchStack(running: Started, options: TestStackOptions = {}) {
  const stack = running.add(await startTestStack(options), (s) => s.stop());
  // The environment the benchmark's own processes start with: the stack's, logging warnings only.
  const env = { ...process.env, ...stack.env, LOG_LEVEL: 'warn' };
  const config = loadConfig(env);
  const clients = running.add(
    await createClients(config, createLogger({ level: 'warn', name: 'bench' })),
    (c) => c.close(),
  );
  return { stack, env, config, clients };
}

/** The process id of one of the stack's services (its CPU and RSS are read from /proc). */
export const servicePid = (service: object): number => (service as { child?: { pid?: number } }).child!.pid!;
