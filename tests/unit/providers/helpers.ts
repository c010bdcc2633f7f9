// Shared steps for the adapter tests: build a request from a catalog model, follow a task
// to its end, catch a ProviderError.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { findModel } from '../../../domain/models.ts';
import type { ModelSpec } from '../../../domain/models.ts';
import { ProviderError } from '../../../providers/types.ts';
import type {
  GenerationRequest,
  ProviderAdapter,
  ProviderTaskState,
  ProviderTaskStatus,
} from '../../../providers/types.ts';

/** Tests poll far faster than a workflow would; the simulator's tasks take ~0.3 s. */
export const TEST_POLL_MS = 20;
export const TEST_FOLLOW_TIMEOUT_MS = 5000;
const TERMINAL: readonly ProviderTaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export function model(id: string): ModelSpec {
  const found = findModel(id);
  if (!found) throw new Error(`no model ${id} in the catalog`);
  return found;
}

export function requestFor(spec: ModelSpec, overrides: Partial<GenerationRequest> = {}): GenerationRequest {
  return {
    jobId: randomUUID(),
    providerModel: spec.providerModel,
    prompt: 'a paper boat drifting down a rainy street',
    durationSeconds: spec.durations[0] ?? 5,
    aspectRatio: spec.aspectRatios[0] ?? '16:9',
    resolution: spec.resolutions[0] ?? '720p',
    inputs: spec.imageRequired ? [{ url: 'https://uploads.example/first.png', role: 'first_frame' }] : [],
    ...overrides,
  };
}

/** Polls a task until it ends (or reaches one of `until`), keeping every state seen. */
export async function follow(
  adapter: ProviderAdapter,
  taskId: string,
  until: readonly ProviderTaskStatus[] = TERMINAL,
): Promise<{ final: ProviderTaskState; seen: ProviderTaskState[] }> {
  const seen: ProviderTaskState[] = [];
  const deadline = Date.now() + TEST_FOLLOW_TIMEOUT_MS;
  for (;;) {
    const state = await adapter.getTask(taskId);
    seen.push(state);
    if (until.includes(state.status)) return { final: state, seen };
    if (Date.now() > deadline)
      throw new Error(`task ${taskId} still ${state.status} after ${TEST_FOLLOW_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, TEST_POLL_MS));
  }
}

export async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
