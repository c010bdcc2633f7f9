// The operator's end-to-end check (workflows/diagnostic.ts): record, write, read back,
// complete; a store that answers wrongly ends the check as failed, recorded as such.
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { diagnosticProgressQuery, diagnosticWorkflow } from '../../workflows/diagnostic.ts';
import { withWorkflowEnv } from '../support/workflow-env.ts';

const wf = withWorkflowEnv();

const object = { key: 'diagnostics/check-1.json', sha256: 'cd'.repeat(32) };

describe('diagnostic', () => {
  it('writes, reads back and records a passed check, showing each step', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const run = await wf.start(diagnosticWorkflow, {
      args: [{ checkId: 'check-1' }],
      activities: {
        recordDiagnosticStart: async () => {},
        writeDiagnosticObject: async () => object,
        verifyDiagnosticObject: async () => (await gate, { encryption: 'AES256' }),
        completeDiagnostic: async () => {},
      },
    });
    const verifying = await run.waitFor(diagnosticProgressQuery, (s) => s.step === 'verifying');
    expect(verifying.objectKey).toBe(object.key);
    release();

    expect(await run.result()).toEqual({ step: 'passed', objectKey: object.key, encryption: 'AES256' });
    expect(run.order()).toEqual([
      'recordDiagnosticStart',
      'writeDiagnosticObject',
      'verifyDiagnosticObject',
      'completeDiagnostic',
    ]);
    const [checkId, outcome] = run.callsTo('completeDiagnostic')[0]!;
    expect(checkId).toBe('check-1');
    expect(outcome).toMatchObject({ passed: true, object });
    // The object is stamped with the workflow's own start time (deterministic on replay).
    const [, startedAt] = run.callsTo('writeDiagnosticObject')[0]!;
    expect(startedAt).toBe((await run.handle.describe()).startTime.toISOString());
  });

  it('an object stored unencrypted fails the check at once and records it as failed', async () => {
    const run = await wf.start(diagnosticWorkflow, {
      args: [{ checkId: 'check-2' }],
      activities: {
        recordDiagnosticStart: async () => {},
        writeDiagnosticObject: async () => object,
        verifyDiagnosticObject: async () => {
          throw ApplicationFailure.create({ type: 'NotEncrypted', message: 'not encrypted at rest' });
        },
        completeDiagnostic: async () => {},
      },
    });

    const failure = await run.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: 'DiagnosticFailed' });
    expect(run.order()).toEqual([
      'recordDiagnosticStart',
      'writeDiagnosticObject',
      'verifyDiagnosticObject',
      'completeDiagnostic',
    ]);
    expect(run.callsTo('completeDiagnostic')[0]?.[1]).toMatchObject({ passed: false, object });
    expect(await run.handle.query(diagnosticProgressQuery)).toMatchObject({ step: 'failed' });
  });
});

// An activity's failure message is always "Activity task failed": the reason an operator
// needs is in its cause, and that is what the check records.
it('a failed check records why it failed', async () => {
  const run = await wf.start(diagnosticWorkflow, {
    args: [{ checkId: 'check-3' }],
    activities: {
      recordDiagnosticStart: async () => {},
      writeDiagnosticObject: async () => object,
      verifyDiagnosticObject: async () => {
        throw ApplicationFailure.nonRetryable('object read back with a different hash', 'DiagnosticMismatch');
      },
      completeDiagnostic: async () => {},
    },
  });
  await run.result().catch(() => {});
  expect(run.callsTo('completeDiagnostic')[0]?.[1].detail).toContain('read back with a different hash');
});
