// Minors' accounts created while Temporal did not answer their timer's start
// (use-cases/parental-consent.ts records them in `unstarted_parental_consents`): each
// timer is started here, in the same scheduled run as unstarted jobs, once Temporal
// answers, for what is left of the parent's period, so it ends when one started at
// sign-up would have (at once, if that has passed: the account is then deleted unless
// confirmed). An account the parent confirmed meanwhile needs no timer and is let go; a
// deleted account took its row with it. Each row is removed once its start is answered;
// a start tried again finds the timer started under the account's own id.
import { startParentalConsent } from '../../clients/parental-consent.ts';
import { UnstartedParentalConsent, User } from '../../db/entities/index.ts';
import { parentalConsentLeftMs } from '../../domain/accounts.ts';
import { namedIn, startEach, type UnstartedSweep, type UnstartedSweepDeps } from './unstarted.ts';

export function createUnstartedParentalConsentActivities(deps: UnstartedSweepDeps) {
  return {
    async startUnstartedParentalConsents(): Promise<UnstartedSweep> {
      const em = deps.orm.em.fork();
      return startEach(
        namedIn(em, UnstartedParentalConsent, deps.config, (w) => w.user, User),
        {
          waits: (user) => user.status === 'awaiting_parental_consent',
          start: (user) =>
            startParentalConsent(deps.temporal.client, {
              userId: user.id,
              periodMs: parentalConsentLeftMs(
                user.createdAt,
                new Date(),
                deps.config.durations.parentalConsentMs,
              ),
            }),
          forget: (user) => em.nativeDelete(UnstartedParentalConsent, { user: user.id }),
        },
      );
    },
  };
}
