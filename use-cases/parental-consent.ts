// A minor's account and their parent (D-MINOR): the parent is asked to confirm, with
// what we keep and why; the account's timer (`parental-consent-<userId>`) starts at the
// same time and ends with the confirmation. Without one in time, the account is deleted,
// keeping nothing (workflows/parental-consent.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import { parentalConsentGivenSignalFor, startParentalConsent } from '../clients/parental-consent.ts';
import { User } from '../db/entities/index.ts';
import type { Accepted } from '../domain/contracts/accounts.ts';
import { PARENTAL_CONSENT_START_DEADLINE_MS } from '../domain/accounts.ts';
import { AppError } from '../domain/errors.ts';
import { POLICY_VERSION } from '../domain/retention-policy.ts';
import { recordAudit } from '../platform/audit.ts';
import { emails } from '../platform/emails.ts';
import { consumeToken, issueToken } from '../stores/accounts-credentials.ts';
import { recordUnstartedStart } from '../stores/unstarted.ts';
import { invalidLink, siteLink } from './accounts-links.ts';
import type { UseCaseDeps } from './deps.ts';
import { tell } from './signals.ts';
import { callOrRecord } from './unanswered.ts';
import { sendAccountMailUnseen } from './unseen-mail.ts';

/**
 * Asks a minor's parent or guardian to confirm the account (D-MINOR), with what we keep
 * and why. The account's timer (`parental-consent-<userId>`) starts first: without a
 * parent's confirmation within the period, the account is deleted, keeping nothing.
 * While Temporal does not answer, the timer's start is kept for the unstarted sweep,
 * which starts it for what is left of the period. If Temporal refuses it, the account is
 * removed at once rather than wait for ever.
 */
export async function askParentalConsent(
  deps: UseCaseDeps,
  em: EntityManager,
  user: User,
  parentEmail: string,
): Promise<void> {
  try {
    await callOrRecord(deps, {
      deadlineMs: PARENTAL_CONSENT_START_DEADLINE_MS,
      call: () =>
        startParentalConsent(deps.temporal.client, {
          userId: user.id,
          periodMs: deps.config.durations.parentalConsentMs,
        }),
      record: (tx, namespace) => recordUnstartedStart(tx, 'parentalConsent', user.id, namespace),
      warning: {
        message: "parental consent's timer kept, not started: the unstarted sweep starts it",
        context: { userId: user.id },
      },
    });
  } catch (err) {
    await deps.orm.em.fork().nativeDelete(User, { id: user.id });
    deps.logger.error({ err }, 'parental consent timer did not start');
    throw new AppError(503, 'try_again', 'We could not create your account just now. Please try again.');
  }
  const token = await issueToken(em, user.id, 'parental_consent', parentEmail);
  await sendAccountMailUnseen(
    deps,
    em,
    { userId: user.id, template: 'parental_consent' },
    emails.parentalConsent(
      parentEmail,
      user.name,
      siteLink(deps, '/parental-consent', token),
      siteLink(deps, '/privacy'),
    ),
  );
}

export async function confirmParentalConsent(deps: UseCaseDeps, token: string): Promise<Accepted> {
  const em = deps.orm.em.fork();
  const userId = await consumeToken(em, token, 'parental_consent');
  if (!userId) throw invalidLink('This link is invalid or has expired.');
  const updated = await em.nativeUpdate(
    User,
    { id: userId, status: 'awaiting_parental_consent' },
    { status: 'active', parentalConsentAt: new Date(), updatedAt: new Date() },
  );
  if (updated === 0) throw new AppError(409, 'not_pending', 'This account no longer needs consent.');
  await tell(deps, [parentalConsentGivenSignalFor(userId)]);
  await recordAudit(em, {
    action: 'account.parental_consent_given',
    subjectUserId: userId,
    details: { policyVersion: POLICY_VERSION },
  });
  return { status: 'confirmed', message: 'Thank you. The account can now be used.' };
}
