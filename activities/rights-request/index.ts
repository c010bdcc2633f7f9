// Activities of the rights-request workflows (`rights-request-<requestId>`), one factory
// per concern: the request's row as the workflows move it on, the rights applied to the
// account, the export archive, and the link and emails that end a request. Each writes
// the request's status or its step on the row itself, so the API reads progress there.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createApplyActivities } from './apply.ts';
import { createExportActivities } from './export.ts';
import { createNotifyActivities } from './notify.ts';
import { createRequestRecordActivities } from './records.ts';

export type { ExportResult } from './export.ts';
export type { RequestSnapshot } from './records.ts';

export interface RightsRequestDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  mailer: Mailer;
}

export function createRightsRequestActivities(deps: RightsRequestDeps) {
  return {
    ...createRequestRecordActivities(deps),
    ...createApplyActivities(deps),
    ...createExportActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type RightsRequestActivities = ReturnType<typeof createRightsRequestActivities>;
