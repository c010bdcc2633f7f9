// Telling the workflows a hold's change concerns: a release, the retention workflows whose
// deletion it deferred; either, the person's account deletion, which pauses or goes on.
import type { Client } from '@temporalio/client';
import { signalDeletionHoldChange } from './account-deletion.ts';
import { signalHoldReleased } from './retention.ts';

/** The workflows a hold's placement or release concerns, as the hold is now. */
export interface HoldChange {
  holdId: string;
  released: boolean;
  /** Files whose deletion the hold deferred: a release lets them go on. */
  deferredAssetIds: string[];
  /** The pseudonym the person's account deletion is named by, if the account still exists. */
  subjectPseudonym: string | null;
}

/** Tells them; the number of retention workflows signalled. */
export async function tellHoldChange(client: Client, change: HoldChange): Promise<number> {
  const signalled = change.released
    ? await signalHoldReleased(client, change.deferredAssetIds, change.holdId)
    : 0;
  await signalDeletionHoldChange(client, change.subjectPseudonym);
  return signalled;
}
