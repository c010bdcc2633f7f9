// One workflow per take-down request (`takedown-<id>`, S-TAKEDOWN): it waits for a
// person of the legal team to decide; an upheld request removes the content and all that
// was made from it at once, with proofs, then tells the creator why and waits for their
// answer (for the answer window); a rejected one is closed. Each step is an activity
// that records itself, with its time, on the request's row: the API and the legal
// dashboard read the row, never this workflow. About 7 actions for an upheld request.
import { condition, defineQuery, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { TakedownActivities } from '../activities/takedown/index.ts';
import type { TakedownStatus } from '../domain/takedown.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

// ---------------------------------------------------------------- messages

export interface TakedownInput {
  takedownId: string;
  /** How long the creator may answer once told (domain/takedown.ts, or a test's shorter one). */
  answerWindowMs: number;
}
/** The legal team's decision, already recorded on the row by the API. */
export interface TakedownDecisionMessage {
  upheld: boolean;
  decidedBy: string;
}

export const takedownDecisionSignal = defineSignal<[TakedownDecisionMessage]>('takedownDecision');
/** The creator answered (recorded on the row by the API). */
export const takedownAnswerSignal = defineSignal('takedownAnswer');

export interface TakedownState {
  status: TakedownStatus;
  upheld: boolean | null;
  removed: number;
  answered: boolean;
}
export const takedownStateQuery = defineQuery<TakedownState>('takedownState');

// ---------------------------------------------------------------- activities

const steps = proxyActivities<TakedownActivities>({
  startToCloseTimeout: 10 * MINUTE,
  heartbeatTimeout: MINUTE,
  // Removal must happen: retried until the store and the database answer.
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: 5 * MINUTE },
});

// ---------------------------------------------------------------- the workflow

export async function takedownWorkflow(input: TakedownInput): Promise<TakedownState> {
  const state: TakedownState = { status: 'awaiting_decision', upheld: null, removed: 0, answered: false };
  let decision: TakedownDecisionMessage | undefined;
  setHandler(takedownStateQuery, () => state);
  setHandler(takedownDecisionSignal, (message) => {
    decision ??= message;
  });
  setHandler(takedownAnswerSignal, () => {
    state.answered = true;
  });

  // A person decides; nothing is removed by automation alone.
  await condition(() => decision !== undefined);
  state.upheld = decision!.upheld;
  if (decision!.upheld) {
    state.status = 'removing';
    state.removed = (await steps.removeTakenDownContent(input.takedownId)).removed;
    await steps.notifyTakedownCreator(input.takedownId);
    state.status = 'awaiting_answer';
    await condition(() => state.answered, input.answerWindowMs);
  }
  await steps.closeTakedown(input.takedownId);
  state.status = 'closed';
  return state;
}
