// The other rights requests (workflows/rightsRequest.ts): rectification, restriction
// (D-RESTRICT), objection (D-OBJECT), consent withdrawal (D-CONSENT), applied once
// verified (D-VERIFY) and reported to the owner. The shared verification branches are
// covered in dsar.test.ts.
import { describe, expect, it } from 'vitest';
import { RIGHTS_STEPS } from '../../domain/rights-request.ts';
import { requestProgressQuery, verifiedSignal } from '../../workflows/rights-request.ts';
import { rightsRequestWorkflow } from '../../workflows/rights-request.ts';
import { withWorkflowEnv } from '../support/workflow-env.ts';
import { newRequest, verification } from './request-row.ts';

const wf = withWorkflowEnv();

describe('rights requests', () => {
  it('[D-RESTRICT] [D-VERIFY] once verified, the request is applied, then the owner is told', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'restriction');
    const run = await wf.start(rightsRequestWorkflow, {
      args: [request.input],
      activities: {
        ...request.stubs,
        applyRightsRequest: async () => ({ applied: ['processing_restricted', 'audit'] }),
        sendRequestCompleted: async () => 'sent' as const,
      },
    });
    await run.waitFor(requestProgressQuery, (p) => p.status === 'awaiting_verification');
    expect(run.calls).toEqual([]);
    const verified = verification(started);
    Object.assign(request.row, { status: 'verified', ...verified });
    await run.handle.signal(verifiedSignal, verified);

    const progress = await run.result();
    expect(progress).toMatchObject({ status: 'completed', dueAt: verified.dueAt, counts: { changes: 2 } });
    expect(progress.steps).toEqual(RIGHTS_STEPS.map((name) => ({ name, state: 'done' })));
    expect(run.order()).toEqual([
      'claimRequest',
      'applyRightsRequest',
      'sendRequestCompleted',
      'completeRequest',
    ]);
    expect(run.callsTo('applyRightsRequest')).toEqual([[request.input.requestId]]);
    expect(run.callsTo('sendRequestCompleted')).toEqual([[request.input.requestId]]);
  });

  it('[D-OBJECT] a claim lost to the owner’s cancellation applies nothing and tells nobody', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'objection', verification(started));
    request.row.status = 'cancelled';
    const run = await wf.start(rightsRequestWorkflow, { args: [request.input], activities: request.stubs });

    const progress = await run.result();
    expect(progress.status).toBe('cancelled');
    expect(progress.steps.map((s) => s.state)).toEqual(['done', 'skipped', 'skipped']);
    expect(run.order()).toEqual(['claimRequest']);
  });

  it('[D-CONSENT] a failed application is retried, and the owner is told only after it succeeded', async () => {
    const started = await wf.now();
    const request = newRequest(started, 'consent_withdrawal', verification(started));
    let attempts = 0;
    const run = await wf.start(rightsRequestWorkflow, {
      args: [request.input],
      activities: {
        ...request.stubs,
        applyRightsRequest: async () => {
          if (++attempts < 3) throw new Error('database unavailable');
          return { applied: ['consent_withdrawn:analytics'] };
        },
        sendRequestCompleted: async () => 'sent' as const,
      },
    });

    expect((await run.result()).status).toBe('completed');
    expect(run.order()).toEqual([
      'claimRequest',
      'applyRightsRequest',
      'applyRightsRequest',
      'applyRightsRequest',
      'sendRequestCompleted',
      'completeRequest',
    ]);
  });
});
