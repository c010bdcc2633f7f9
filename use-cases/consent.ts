// Consent (D-CONSENT), first-party analytics (D-DNT, D-RESTRICT, D-OBJECT) and one-click
// unsubscribe (D-UNSUB). Every choice is a new row with its time, source and policy
// version; the latest one counts, and withdrawing changes nothing that was lawfully done
// before. Analytics are stored only with consent, never for a request that carries Do
// Not Track or Global Privacy Control, and never for a user who restricted processing or
// objected to analytics. Reading an unsubscribe link changes nothing (mail scanners open
// links); posting it withdraws the marketing consent.
import type { EntityManager } from '@mikro-orm/postgresql';
import { AnalyticsEvent, Consent, User } from '../db/entities/index.ts';
import type {
  AnalyticsEventsBody,
  AnalyticsStored,
  ConsentChoices,
  ConsentsRecorded,
  ConsentsView,
  RecordConsentBody,
  UnsubscribeQuery,
  UnsubscribeResult,
} from '../domain/contracts/consent.ts';
import { AppError, badRequest } from '../domain/errors.ts';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../domain/consent.ts';
import { POLICY_VERSION } from '../domain/retention-policy.ts';
import { recordAudit } from '../platform/audit.ts';
import { verifyLink } from '../platform/links.ts';
import type { UseCaseDeps } from './deps.ts';

/** Whose choices: a signed-in person's, or a browser's before sign-in (its visitor id). */
export type ConsentOwner = { user: string } | { visitorId: string };

const noChoices = (): ConsentChoices => ({ analytics: null, marketing_email: null });

/** The latest choice per purpose for a user or a visitor's browser. */
export async function currentConsents(em: EntityManager, owner: ConsentOwner): Promise<ConsentChoices> {
  const result = noChoices();
  for (const purpose of CONSENT_PURPOSES) {
    const [latest] = await em.find(Consent, { ...owner, purpose }, { orderBy: { id: 'desc' }, limit: 1 });
    if (latest) {
      result[purpose] = {
        granted: latest.granted,
        at: latest.createdAt.toISOString(),
        policyVersion: latest.policyVersion,
      };
    }
  }
  return result;
}

export async function consentsOf(
  deps: UseCaseDeps,
  owner: ConsentOwner | null,
  doNotTrack: boolean,
): Promise<ConsentsView> {
  const choices = owner ? await currentConsents(deps.orm.em.fork(), owner) : noChoices();
  return { policyVersion: POLICY_VERSION, doNotTrack, choices };
}

/** Records the choices made now; marketing email only for a signed-in account (opt-in only). */
export async function recordConsents(
  deps: UseCaseDeps,
  owner: ConsentOwner,
  body: RecordConsentBody,
): Promise<ConsentsRecorded> {
  if (body.marketingEmail !== undefined && !('user' in owner)) {
    throw badRequest('Sign in to choose marketing email.', [
      { field: 'marketingEmail', message: 'Only for signed-in accounts.' },
    ]);
  }
  const em = deps.orm.em.fork();
  const changes: [ConsentPurpose, boolean][] = [];
  if (body.analytics !== undefined) changes.push(['analytics', body.analytics]);
  if (body.marketingEmail !== undefined) changes.push(['marketing_email', body.marketingEmail]);
  for (const [purpose, granted] of changes) {
    em.create(Consent, {
      ...owner,
      purpose,
      granted,
      policyVersion: POLICY_VERSION,
      source: body.source,
      createdAt: new Date(),
    });
  }
  await em.flush();
  return { policyVersion: POLICY_VERSION, choices: await currentConsents(em, owner) };
}

/** Who reports analytics events, and what their browser and account say about tracking. */
export interface AnalyticsReporter {
  owner: ConsentOwner | null;
  doNotTrack: boolean;
  user: { restrictedAt?: Date | null; objectedToAnalyticsAt?: Date | null } | null;
}

export async function recordAnalyticsEvents(
  deps: UseCaseDeps,
  reporter: AnalyticsReporter,
  body: AnalyticsEventsBody,
): Promise<AnalyticsStored> {
  const { owner, user } = reporter;
  if (reporter.doNotTrack) return { stored: 0, reason: 'do_not_track' };
  if (!owner) return { stored: 0, reason: 'no_consent' };
  if (user?.restrictedAt) return { stored: 0, reason: 'restricted' };
  if (user?.objectedToAnalyticsAt) return { stored: 0, reason: 'objected' };
  const em = deps.orm.em.fork();
  if (!(await currentConsents(em, owner)).analytics?.granted) return { stored: 0, reason: 'no_consent' };
  for (const event of body.events) {
    // Paths only, never query strings: those may carry tokens or search terms.
    const path = event.path?.split('?')[0]?.split('#')[0] ?? null;
    em.create(AnalyticsEvent, {
      ...owner,
      type: event.type,
      name: event.name,
      path,
      valueMs: event.valueMs ?? null,
      createdAt: new Date(),
    });
  }
  await em.flush();
  return { stored: body.events.length };
}

// ---------------------------------------------------------------- unsubscribe (D-UNSUB)

/** The link's owner, while their account exists; refuses a link that is not ours or expired. */
async function linkOwner(
  deps: UseCaseDeps,
  em: EntityManager,
  query: UnsubscribeQuery,
): Promise<User | null> {
  if (!verifyLink(deps.config.sessionSecret, 'unsubscribe', query.u, query.token)) {
    throw new AppError(403, 'invalid_link', 'This unsubscribe link is invalid or has expired.');
  }
  return em.findOne(User, { id: query.u, status: { $ne: 'deleted' } });
}

/** Whether the link's owner still gets marketing email; reading it changes nothing. */
export async function unsubscribeStatus(
  deps: UseCaseDeps,
  query: UnsubscribeQuery,
): Promise<UnsubscribeResult> {
  const em = deps.orm.em.fork();
  const user = await linkOwner(deps, em, query);
  if (!user) return { status: 'unsubscribed' };
  const consents = await currentConsents(em, { user: user.id });
  return { status: consents.marketing_email?.granted ? 'subscribed' : 'unsubscribed' };
}

export async function unsubscribe(deps: UseCaseDeps, query: UnsubscribeQuery): Promise<UnsubscribeResult> {
  const em = deps.orm.em.fork();
  const user = await linkOwner(deps, em, query);
  if (!user) return { status: 'unsubscribed' };
  const marketing = (await currentConsents(em, { user: user.id })).marketing_email;
  if (marketing?.granted) {
    // A withdrawal, like any choice (D-CONSENT): a new row; earlier mail stays lawful.
    em.create(Consent, {
      user: user.id,
      purpose: 'marketing_email',
      granted: false,
      policyVersion: marketing.policyVersion,
      source: 'unsubscribe_link',
      createdAt: new Date(),
    });
    await em.flush();
    await recordAudit(em, {
      action: 'privacy.unsubscribed',
      actorId: user.id,
      actorRole: user.role,
      subjectUserId: user.id,
      details: { via: 'link' },
    });
  }
  return {
    status: 'unsubscribed',
    message: 'You will get no more marketing email. Account emails continue.',
  };
}
