// Activities of the account deletion workflow (`account-deletion-<pseudonym>`; D-ERASE,
// R-ACCT-90D, D-RECIPIENTS, D-MINOR), one factory per concern: sessions and jobs, files,
// rows, recipients and the last email, the certificate; first of all, the person's
// subscriptions cancelled at Stripe. Each is idempotent by the user
// or request id and checks what is already done before acting, so a worker that dies
// anywhere leaves nothing done twice; each marks its step done on the request's row.
import { createAssetDeletionActivities } from './assets.ts';
import { createCertificateActivities } from './certificate.ts';
import { createRecipientActivities } from './recipients.ts';
import type { DeletionDeps } from './request.ts';
import { createRowErasureActivities } from './rows.ts';
import { createSessionActivities } from './sessions.ts';
import { createSubscriptionEndActivities } from './subscriptions.ts';

export type { DeletionDeps } from './request.ts';
export type { ErasedRows } from './rows.ts';
export type { RecipientNotices } from './recipients.ts';
export type { EndedSubscription } from './subscriptions.ts';

export function createAccountDeletionActivities(deps: DeletionDeps) {
  return {
    ...createSubscriptionEndActivities(deps),
    ...createSessionActivities(deps),
    ...createAssetDeletionActivities(deps),
    ...createRowErasureActivities(deps),
    ...createRecipientActivities(deps),
    ...createCertificateActivities(deps),
  };
}

export type AccountDeletionActivities = ReturnType<typeof createAccountDeletionActivities>;
