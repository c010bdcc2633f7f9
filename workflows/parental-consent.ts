// One timer per account awaiting a parent's confirmation (`parental-consent-<userId>`,
// D-MINOR), started at sign-up. The parent's confirmation (a signal) ends it; when the
// period passes without one, the account is deleted, keeping nothing. Two or three
// actions in its whole life.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ParentalConsentActivities } from '../activities/parental-consent.ts';
import { MINUTE, SECOND } from '../domain/time.ts';

export interface ParentalConsentInput {
  userId: string;
  /** How long the parent has (domain/accounts.ts, or a test's shorter one). */
  periodMs: number;
}

/** The parent confirmed (recorded on the account by the API). */
export const parentalConsentGivenSignal = defineSignal('parentalConsentGiven');

const accounts = proxyActivities<ParentalConsentActivities>({
  startToCloseTimeout: MINUTE,
  retry: { initialInterval: SECOND, backoffCoefficient: 2, maximumInterval: 5 * MINUTE },
});

export async function parentalConsentWorkflow(
  input: ParentalConsentInput,
): Promise<'confirmed' | 'deleted' | 'not_pending'> {
  let confirmed = false;
  setHandler(parentalConsentGivenSignal, () => {
    confirmed = true;
  });
  if (await condition(() => confirmed, input.periodMs)) return 'confirmed';
  // The activity checks the account again: a confirmation whose signal was lost counts.
  return accounts.expireUnconfirmedAccount(input.userId);
}
