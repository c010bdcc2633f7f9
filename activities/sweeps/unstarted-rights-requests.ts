// Rights requests made while Temporal did not answer their workflow's start
// (use-cases/rights-request.ts records them in `unstarted_rights_requests`): started here,
// in the same scheduled run as unstarted jobs, once Temporal answers. A request the
// person confirmed meanwhile starts verified, its statutory clock as its row has it (the
// confirmation's signal found no workflow and was let go); one cancelled meanwhile, or
// whose account went, is only let go. Each row is removed once its start is answered; a
// start tried again finds the workflow started under the request's own id.
import {
  cancelledSignalFor,
  startRightsRequest,
  verifiedSignalFor,
  type RequestWorkflowInput,
} from '../../clients/rights-request.ts';
import { sendSignal } from '../../clients/signals.ts';
import { RightsRequest, UnstartedRightsRequest } from '../../db/entities/index.ts';
import type { RequestStatus } from '../../domain/rights-request.ts';
import { startEach, waitingIn, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

/** What a request may be before its workflow runs: made, or confirmed by its code. */
const NOT_STARTED: readonly RequestStatus[] = ['awaiting_verification', 'verified'];

/** The workflow's input from the request's row: verified when the person confirmed it already. */
function inputOf(request: RightsRequest): RequestWorkflowInput {
  const dueAt = request.extendedDueAt ?? request.dueAt;
  return {
    requestId: request.id,
    userId: request.user!,
    type: request.type,
    expiresAt: request.expiresAt!.toISOString(),
    verified:
      request.status === 'verified' && request.verifiedAt && dueAt
        ? { verifiedAt: request.verifiedAt.toISOString(), dueAt: dueAt.toISOString() }
        : null,
  };
}

export function createUnstartedRightsRequestActivities(deps: UnstartedSweepDeps) {
  /**
   * A confirmation or a cancellation made between the row's read and the start told no
   * workflow: told now. (Without it, the workflow would find it out from the row at the
   * request's expiry, days later.)
   */
  async function tellChangeSinceRead(read: RightsRequest) {
    const now = await deps.orm.em
      .fork()
      .findOne(RightsRequest, { id: read.id }, { fields: ['status', 'verifiedAt', 'dueAt'] });
    if (!now || now.status === read.status) return;
    const workflowId = read.workflowId!;
    if (now.status === 'cancelled') await sendSignal(deps.temporal.client, cancelledSignalFor(workflowId));
    else if (now.status === 'verified' && now.verifiedAt && now.dueAt) {
      const message = { verifiedAt: now.verifiedAt.toISOString(), dueAt: now.dueAt.toISOString() };
      await sendSignal(deps.temporal.client, verifiedSignalFor(workflowId, message));
    }
  }

  return {
    async startUnstartedRightsRequests(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      const waiting = await waitingIn(em, UnstartedRightsRequest, deps.config, { failedAt: 'asc' });
      const requests = await em.find(RightsRequest, { id: { $in: waiting.map((w) => w.request) } });
      return startEach(requests, {
        waits: (request) => NOT_STARTED.includes(request.status) && Boolean(request.user),
        start: async (request) => {
          await startRightsRequest(deps.temporal.client, inputOf(request));
          await tellChangeSinceRead(request);
        },
        forget: (request) => em.nativeDelete(UnstartedRightsRequest, { request: request.id }),
      });
    },
  };
}
