// The sweeps' activities: what Temporal Schedules run to remove what has outlived its
// retention (sessions, identifying analytics, the email log, payment records, support
// tickets, what account deletions kept), expired ephemera, the bucket's reconciliation
// with the asset rows, and assets whose retention workflow was lost.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import { createBillingSweepActivities } from './billing.ts';
import { createKeptRecordSweepActivities } from './kept-records.ts';
import { createObjectSweepActivities } from './objects.ts';
import { createOverdueSweepActivities } from './overdue.ts';
import { createPrivacySweepActivities } from './privacy.ts';
import { createSessionSweepActivities } from './sessions.ts';
import { createSupportSweepActivities } from './support.ts';

export function createSweepActivities(deps: { orm: MikroORM; store: ObjectStore; config: Config }) {
  return {
    ...createSessionSweepActivities(deps),
    ...createObjectSweepActivities(deps),
    ...createOverdueSweepActivities(deps),
    ...createPrivacySweepActivities(deps),
    ...createBillingSweepActivities(deps),
    ...createSupportSweepActivities(deps),
    ...createKeptRecordSweepActivities(deps),
  };
}

export type SweepActivities = ReturnType<typeof createSweepActivities>;
