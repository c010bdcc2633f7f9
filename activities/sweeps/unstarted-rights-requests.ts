// Rights requests made while Temporal did not answer their workflow's start
// (use-cases/rights-request.ts records them in `unstarted_rights_requests`): started here,
// in the same scheduled run as unstarted jobs, once Temporal answers. A confirmation or a
// cancellation made before the start found no workflow and was let go, and the workflow
// would read the row only at the request's expiry, days later: so a request verified
// when the sweep reads it starts verified (its statutory clock as the row has it), and
// once started, the workflow is told what changed since (verified meanwhile, or
// cancelled). A request cancelled before the sweep's read, or whose account went, is only
// let go. Each row is removed once its start is answered; a start tried again finds the
// workflow started under the request's own id, and a message told twice is taken once.
// An account deletion's id is the person's: a start tried again finds a deletion running,
// its own when the deletion's memo names the request; another's is refused, the row kept
// for an operator.
import {
  accountDeletionWorkflowId,
  deletionRunsFor,
  startAccountDeletion,
} from '../../clients/account-deletion.ts';
import {
  cancelledSignalFor,
  startRightsRequest,
  verifiedSignalFor,
  type RequestWorkflowInput,
  type VerifiedMessage,
} from '../../clients/rights-request.ts';
import { sendSignal } from '../../clients/signals.ts';
import { RightsRequest, UnstartedRightsRequest, User } from '../../db/entities/index.ts';
import type { RequestStatus } from '../../domain/rights-request.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

/** What a request may be before its workflow runs: made, or confirmed by its code. */
const NOT_STARTED: readonly RequestStatus[] = ['awaiting_verification', 'verified'];

/** The row's verification, its statutory clock as the row has it; null while unverified. */
function verificationOf(row: RightsRequest): VerifiedMessage | null {
  const dueAt = row.extendedDueAt ?? row.dueAt;
  return row.status === 'verified' && row.verifiedAt && dueAt
    ? { verifiedAt: row.verifiedAt.toISOString(), dueAt: dueAt.toISOString() }
    : null;
}

/**
 * Verified when the sweep read it (a code confirmed, or support's finding of a minor),
 * the workflow starts verified: no timer to wait for a confirmation, no signal to tell it.
 */
const inputOf = (request: RightsRequest): RequestWorkflowInput => ({
  requestId: request.id,
  userId: request.user!,
  type: request.type,
  expiresAt: request.expiresAt!.toISOString(),
  verified: verificationOf(request),
});

export function createUnstartedRightsRequestActivities(deps: UnstartedSweepDeps) {
  /**
   * Tells the workflow just started what its row says now, if it changed since the read
   * its start was made from: confirmed meanwhile, or cancelled.
   */
  async function tellRow(request: RightsRequest, workflowId: string) {
    const row = await deps.orm.em.fork().findOne(RightsRequest, { id: request.id });
    const verified = row && verificationOf(row);
    if (verified && !verificationOf(request)) {
      await sendSignal(deps.temporal.client, verifiedSignalFor(workflowId, verified));
    } else if (row?.status === 'cancelled') {
      await sendSignal(deps.temporal.client, cancelledSignalFor(workflowId));
    }
  }

  /** Starts the account's deletion, or finds it running for this request; its workflow id. */
  async function startDeletion(request: RightsRequest): Promise<string> {
    const { pseudonym } = await deps.orm.em
      .fork()
      .findOneOrFail(User, { id: request.user! }, { fields: ['pseudonym'] });
    const input = { ...inputOf(request), origin: request.origin };
    const client = deps.temporal.client;
    if (
      !(await startAccountDeletion(client, input, pseudonym)) &&
      !(await deletionRunsFor(client, pseudonym, request.id))
    ) {
      throw new Error(`another deletion of the account runs; request ${request.id} not started`);
    }
    return accountDeletionWorkflowId(pseudonym);
  }

  return {
    async startUnstartedRightsRequests(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      return startEach(
        namedIn(em, UnstartedRightsRequest, deps.config, (w) => w.request, RightsRequest),
        {
          waits: (request) => NOT_STARTED.includes(request.status) && Boolean(request.user),
          start: async (request) => {
            const workflowId =
              request.type === 'deletion'
                ? await startDeletion(request)
                : await startRightsRequest(deps.temporal.client, inputOf(request));
            await tellRow(request, workflowId);
          },
          forget: (request) => em.nativeDelete(UnstartedRightsRequest, { request: request.id }),
        },
      );
    },
  };
}
