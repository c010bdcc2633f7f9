// An operator's end-to-end check: the API starts it, the worker writes a row to
// PostgreSQL and an encrypted object to S3, reads both back and records the outcome.
import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { DiagnosticActivities, DiagnosticObject } from '../activities/diagnostic.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

export type DiagnosticStep = 'recording' | 'writing' | 'verifying' | 'passed' | 'failed';
export interface DiagnosticState {
  step: DiagnosticStep;
  objectKey?: string;
  encryption?: string;
  error?: string;
}

export const diagnosticProgressQuery = defineQuery<DiagnosticState>('progress');

const acts = proxyActivities<DiagnosticActivities>({
  startToCloseTimeout: 30 * SECOND,
  scheduleToCloseTimeout: 5 * MINUTE,
  retry: {
    initialInterval: SECOND,
    backoffCoefficient: 2,
    maximumInterval: 30 * SECOND,
    nonRetryableErrorTypes: ['DiagnosticMismatch', 'NotEncrypted'],
  },
});

export async function diagnosticWorkflow(input: { checkId: string }): Promise<DiagnosticState> {
  const state: DiagnosticState = { step: 'recording' };
  setHandler(diagnosticProgressQuery, () => state);
  let object: DiagnosticObject | undefined;
  try {
    await acts.recordDiagnosticStart(input.checkId);
    state.step = 'writing';
    object = await acts.writeDiagnosticObject(input.checkId, workflowInfo().startTime.toISOString());
    state.objectKey = object.key;
    state.step = 'verifying';
    const { encryption } = await acts.verifyDiagnosticObject(object);
    state.encryption = encryption;
    await acts.completeDiagnostic(input.checkId, {
      passed: true,
      object,
      detail: `postgres and s3 written and read back; object encrypted with ${encryption}`,
    });
    state.step = 'passed';
    return state;
  } catch (err) {
    state.step = 'failed';
    // An activity's failure says only that it failed; the reason is in its cause.
    const reason = err instanceof ActivityFailure && err.cause ? err.cause : err;
    state.error = reason instanceof Error ? reason.message : String(reason);
    await acts.completeDiagnostic(input.checkId, { passed: false, object, detail: state.error });
    throw ApplicationFailure.nonRetryable(`diagnostic failed: ${state.error}`, 'DiagnosticFailed');
  }
}
