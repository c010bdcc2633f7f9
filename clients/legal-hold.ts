// The signals a hold's change sends: a release, to the retention workflows whose deletion
// it deferred; either, to the person's account deletion, which pauses or goes on.
import { deletionHoldChangeSignals } from './account-deletion.ts';
import { holdReleasedSignals } from './retention.ts';
import type { WorkflowSignal } from './signals.ts';

/** The workflows a hold's placement or release concerns, as the hold is now. */
export interface HoldChange {
  holdId: string;
  released: boolean;
  /** Files whose deletion the hold deferred: a release lets them go on. */
  deferredAssetIds: string[];
  /** The pseudonym the person's account deletion is named by, if the account still exists. */
  subjectPseudonym: string | null;
}

export function holdChangeSignals(change: HoldChange): WorkflowSignal[] {
  return [
    ...(change.released ? holdReleasedSignals(change.deferredAssetIds, change.holdId) : []),
    ...deletionHoldChangeSignals(change.subjectPseudonym),
  ];
}
