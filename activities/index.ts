// Every activity the worker registers, built from the clients it is given.
import type { MikroORM } from '@mikro-orm/postgresql';
import type Stripe from 'stripe';
import type { Config } from '../config/index.ts';
import type { ImageClassifier } from '../platform/image-classifier.ts';
import type { Mailer } from '../platform/mail.ts';
import type { ObjectStore } from '../platform/s3.ts';
import type { Scratch } from '../platform/scratch.ts';
import type { TemporalClients } from '../platform/temporal.ts';
import { createDiagnosticActivities } from './diagnostic.ts';
import { createGenerationActivities } from './generation/index.ts';
import { createAccountDeletionActivities } from './account-deletion/index.ts';
import { createAnnouncementActivities } from './announcement.ts';
import { createRightsRequestActivities } from './rights-request/index.ts';
import { createIncidentActivities } from './incident/index.ts';
import { createParentalConsentActivities } from './parental-consent.ts';
import { createRetentionActivities } from './retention.ts';
import { createSubscriptionActivities } from './subscription/index.ts';
import { createScriptActivities } from './script/index.ts';
import { createSweepActivities } from './sweeps/index.ts';
import { createTakedownActivities } from './takedown/index.ts';

export interface ActivityDeps {
  orm: MikroORM;
  store: ObjectStore;
  /** Time scale of retention timers, among other settings. */
  config: Config;
  /** For activities that start or signal workflows (retention of temporary files). */
  temporal: TemporalClients;
  /** For activities that email people (rights requests, announcements). */
  mailer: Mailer;
  /** Scores generated videos' frames before they are released (S-MOD). */
  classifier: ImageClassifier;
  /** For activities that change subscriptions at Stripe (account deletion). */
  stripe: Stripe;
  /** Folders for the files a step works on (outputs, renders, voice tracks, compositions). */
  scratch: Scratch;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createDiagnosticActivities(deps),
    ...createRetentionActivities(deps),
    ...createSweepActivities(deps),
    ...createGenerationActivities(deps),
    ...createRightsRequestActivities(deps),
    ...createAccountDeletionActivities(deps),
    ...createAnnouncementActivities(deps),
    ...createTakedownActivities(deps),
    ...createIncidentActivities(deps),
    ...createParentalConsentActivities(deps),
    ...createSubscriptionActivities(deps),
    ...createScriptActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
