// The clients both processes share, built once from the configuration.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/index.ts';
import { errorLogExposure } from '../db/private-errors.ts';
import { closeOrm, getOrm } from '../db/orm.ts';
import { createImageClassifier, type ImageClassifier } from './image-classifier.ts';
import type { Logger } from './logger.ts';
import { createMailer, type Mailer } from './mail.ts';
import { createNotifications, type Notifications } from './notifications.ts';
import { createObjectStore, type ObjectStore } from './s3.ts';
import { openScratch, type Scratch } from './scratch.ts';
import { createStripe } from './stripe.ts';
import type Stripe from 'stripe';
import { createTemporalClient, type TemporalClients } from './temporal.ts';

export interface Clients {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  store: ObjectStore;
  temporal: TemporalClients;
  mailer: Mailer;
  stripe: Stripe;
  /** Row changes announced by PostgreSQL (live views); connects on first use. */
  notifications: Notifications;
  /** Scores images and video frames (S-MOD); its thread and model load on first use. */
  classifier: ImageClassifier;
  /** Where steps keep files on local disk; what a killed process left is deleted (R-TEMP). */
  scratch: Scratch;
  close(): Promise<void>;
}

export async function createClients(config: Config, logger: Logger): Promise<Clients> {
  const orm = await getOrm(config.database);
  warnOfErrorLogExposure(orm, logger);
  const store = createObjectStore(config.s3);
  const temporal = createTemporalClient(config.temporal);
  const mailer = createMailer(config.mail);
  const stripe = createStripe(config.stripe);
  const notifications = createNotifications(config.database.url, logger);
  const classifier = createImageClassifier();
  const scratch = await openScratch({
    onError: (err) => logger.warn({ err }, 'the scratch folder could not be marked alive or swept'),
  });
  return {
    config,
    logger,
    orm,
    store,
    temporal,
    mailer,
    stripe,
    notifications,
    classifier,
    scratch,
    async close() {
      await scratch.close();
      await notifications.close();
      await classifier.close();
      mailer.transport.close();
      store.client.destroy();
      if (store.signer !== store.client) store.signer.destroy();
      await temporal.connection.close().catch(() => {});
      await closeOrm(config.database);
    },
  };
}

/**
 * Says at start, once, when the database server would log a failing statement with the
 * values it carries (db/private-errors.ts): the dev stack and compose set its settings,
 * a managed server is set by its operator. Not waited for: a database still starting is
 * the readiness probe's to report.
 */
function warnOfErrorLogExposure(orm: MikroORM, logger: Logger): void {
  errorLogExposure((sql) => orm.em.fork().execute(sql)).then(
    (settings) => {
      if (settings.length) {
        logger.warn(
          { settings },
          'PostgreSQL logs failing statements with the values they carry (prompts, email addresses): set these on the server',
        );
      }
    },
    () => {},
  );
}
