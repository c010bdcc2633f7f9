// Privacy activities: rights requests, exports, account deletion and announcements,
// built from the clients they are given.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createAnnouncementActivities } from './announcements.ts';
import { createDeletionActivities } from './deletion.ts';
import { createExportActivities } from './export.ts';
import { createRequestActivities } from './requests.ts';

export interface PrivacyDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  mailer: Mailer;
}

export function createPrivacyActivities(deps: PrivacyDeps) {
  return {
    ...createRequestActivities(deps),
    ...createExportActivities(deps),
    ...createDeletionActivities(deps),
    ...createAnnouncementActivities(deps),
  };
}

export type PrivacyActivities = ReturnType<typeof createPrivacyActivities>;
