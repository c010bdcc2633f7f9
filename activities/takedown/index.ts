// Activities of the take-down workflow (S-TAKEDOWN), one factory per concern: removing
// the content and all made from it, and the notices to the creator and the reporter.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../../config/index.ts';
import type { Mailer } from '../../platform/mail.ts';
import type { ObjectStore } from '../../platform/s3.ts';
import type { TemporalClients } from '../../platform/temporal.ts';
import { createTakedownNoticeActivities } from './notices.ts';
import { createRemovalActivities } from './removal.ts';

export interface TakedownDeps {
  orm: MikroORM;
  store: ObjectStore;
  config: Config;
  temporal: TemporalClients;
  mailer: Mailer;
}

export function createTakedownActivities(deps: TakedownDeps) {
  return {
    ...createRemovalActivities(deps),
    ...createTakedownNoticeActivities(deps, () => deps.config.durations.takedownAnswerMs),
  };
}

export type TakedownActivities = ReturnType<typeof createTakedownActivities>;
