// Privacy mail: the words of every email about rights requests, policy changes and
// marketing, and one way to send them that records what went to whom in the email log
// (R-SUPPORT-3Y: a keyed hash of the address, never the address, no subject or body).
// Marketing mail goes only with opt-in and no objection, and always carries a working
// one-click unsubscribe link and the List-Unsubscribe headers (D-CONSENT, D-OBJECT, D-UNSUB).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config/index.ts';
import { Consent, EmailLog, User } from '../db/entities/index.ts';
import { UNSUBSCRIBE_LINK_TTL_MS, type EmailCategory, type EmailOutcome } from '../domain/consent.ts';
import type { RequestType } from '../domain/rights-request.ts';
import { keyedHash } from '../platform/crypto.ts';
import { MailNotSent, sendMail, type MailMessage, type Mailer } from '../platform/mail.ts';
import { signLink } from '../platform/links.ts';

const sign = '\n\n— Clipwise';

const REQUEST_WORDS: Readonly<Record<RequestType, string>> = {
  access: 'a copy of your data',
  portability: 'a portable copy of your data and videos',
  deletion: 'the deletion of your account',
  rectification: 'the correction of your data',
  restriction: 'the restriction of processing of your data',
  objection: 'your objection to processing of your data',
  consent_withdrawal: 'the withdrawal of your consent',
};

export const privacyEmails = {
  verificationCode: (to: string, type: RequestType, code: string, minutes: number): MailMessage => ({
    to,
    subject: 'Your code to confirm your privacy request',
    text: `You asked for ${REQUEST_WORDS[type]}.\n\nTo confirm it is you, enter this code on the request page:\n\n    ${code}\n\nThe code works for ${minutes} minutes. If you did not ask for this, ignore this email: nothing happens without the code.${sign}`,
  }),
  exportReady: (to: string, link: string, until: Date): MailMessage => ({
    to,
    subject: 'Your data export is ready',
    text: `The copy of your data you asked for is ready. Download it from your privacy page while signed in:\n${link}\n\nThe archive is deleted on ${until.toISOString().slice(0, 10)}.${sign}`,
  }),
  requestCompleted: (to: string, type: RequestType): MailMessage => ({
    to,
    subject: 'Your privacy request is done',
    text: `We have carried out ${REQUEST_WORDS[type]}. You can see the details on your privacy page.${sign}`,
  }),
  deadlineExtended: (to: string, type: RequestType, until: Date, reason: string): MailMessage => ({
    to,
    subject: 'We need more time for your privacy request',
    text: `We are working on ${REQUEST_WORDS[type]}, and we need more time to complete it.\n\nNew deadline: ${until.toISOString().slice(0, 10)}\nWhy: ${reason}\n\nThe law allows this extension once. You may complain to a data protection authority if you disagree.${sign}`,
  }),
  deletionDone: (to: string, certificateLink: string, until: Date): MailMessage => ({
    to,
    subject: 'Your Clipwise account is deleted',
    text: `Your account is deleted: your files are gone, and your data is erased or anonymized. We told the video providers that processed your jobs to delete them too.\n\nYour deletion certificate lists what was deleted:\n${certificateLink}\n\nThe link works until ${until.toISOString().slice(0, 10)}. This is the last email we send to this address.${sign}`,
  }),
  minorAccountStopped: (to: string): MailMessage => ({
    to,
    subject: 'A Clipwise account registered to your child has been closed',
    text: `Hello,\n\nYour address was given as the parent or guardian of a Clipwise user who is under 18 and has no confirmed parental consent. We have stopped all use of the account and are deleting all of its data, including its files. Nothing needs to be done.${sign}`,
  }),
  policyChanged: (to: string, version: string, summary: string, needsConsent: boolean, link: string) => ({
    to,
    subject: needsConsent
      ? 'Our privacy policy changed: please review and accept it'
      : 'Our privacy policy changed',
    text: `We changed our privacy policy (version ${version}).\n\nWhat changed: ${summary}\n\nRead it here: ${link}${needsConsent ? '\n\nThe change needs your agreement: you will be asked to accept it the next time you use Clipwise.' : ''}${sign}`,
  }),
  marketing: (
    to: string,
    subject: string,
    body: string,
    unsubscribeLink: string,
    oneClickUrl: string,
  ): MailMessage => ({
    to,
    subject,
    text: `${body}\n\nYou get this because you agreed to news from Clipwise. Unsubscribe with one click: ${unsubscribeLink}${sign}`,
    headers: {
      'List-Unsubscribe': `<${oneClickUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  }),
};

export interface PrivacyMailDeps {
  mailer: Mailer;
  config: Config;
}

/** The keyed hash the email log keeps instead of an address. */
export function recipientHash(config: Config, address: string): string {
  return keyedHash(config.sessionSecret, 'email-log', address.toLowerCase());
}

/** What a send did: sent now, sent before (the key is in the log), or not delivered. */
export type MailResult = 'already_sent' | EmailOutcome;

export const wasDelivered = (result: MailResult) => result === 'sent' || result === 'already_sent';

export interface MailEntry {
  dedupeKey: string;
  userId: string | null;
  template: string;
  category: EmailCategory;
  /**
   * When a passing failure becomes final: a workflow's step gives this (its first
   * attempt plus the delivery window), a request answering a person does not.
   */
  deliverBy?: Date;
}

/**
 * Sends a message once per `dedupeKey` and logs it. A key already in the log means it
 * was sent, or will never be: nothing happens. The log row is written after the send,
 * so a crash between the two may send the message again on retry (at least once, never
 * silently lost). A relay's refusal for good (a 5xx reply: an unknown or suppressed
 * mailbox) is logged as refused and answered as such instead of thrown: a retry would
 * meet the same refusal, and the step that sent it would never end. A passing failure
 * (no connection, a 4xx reply) throws, for the caller's retry, until `deliverBy`; from
 * then on it is logged and answered as undelivered.
 */
export async function sendLoggedMail(
  deps: PrivacyMailDeps,
  em: EntityManager,
  entry: MailEntry,
  message: MailMessage,
): Promise<MailResult> {
  const seen = await em
    .fork()
    .findOne(EmailLog, { dedupeKey: entry.dedupeKey }, { fields: ['id', 'outcome'] });
  if (seen) return seen.outcome === 'sent' ? 'already_sent' : seen.outcome;
  const outcome = await deliver(deps.mailer, message, entry.deliverBy);
  await em.execute(
    `insert into email_log (dedupe_key, user_id, recipient_hash, template, category, sent_at, outcome)
     values (?, ?, ?, ?, ?, now(), ?) on conflict (dedupe_key) do nothing`,
    [
      entry.dedupeKey,
      entry.userId,
      recipientHash(deps.config, message.to),
      entry.template,
      entry.category,
      outcome,
    ],
  );
  return outcome;
}

async function deliver(mailer: Mailer, message: MailMessage, deliverBy?: Date): Promise<EmailOutcome> {
  try {
    await sendMail(mailer, message);
    return 'sent';
  } catch (err) {
    if (!(err instanceof MailNotSent)) throw err;
    if (err.permanent) return 'refused';
    if (deliverBy && Date.now() >= deliverBy.getTime()) return 'undelivered';
    throw err;
  }
}

export type MarketingRefusal = 'no_consent' | 'objected' | 'restricted' | 'inactive';

/** Why a user may not get marketing mail now, or null when they may (opt-in, no objection). */
export async function marketingRefusal(em: EntityManager, user: User): Promise<MarketingRefusal | null> {
  if (user.status !== 'active') return 'inactive';
  if (user.objectedToMarketingAt) return 'objected';
  if (user.restrictedAt) return 'restricted';
  const [latest] = await em.find(
    Consent,
    { user: user.id, purpose: 'marketing_email' },
    { orderBy: { id: 'desc' }, limit: 1 },
  );
  return latest?.granted ? null : 'no_consent';
}

/** The one-click unsubscribe link of a user (D-UNSUB): signed, no state kept. */
/**
 * The link in the email's text opens the site's page, which changes nothing until its
 * button is pressed (mail scanners open links); the List-Unsubscribe header points at
 * the API for RFC 8058 one-click posts from mail clients.
 */
export function unsubscribeLinks(
  config: Config,
  userId: string,
  now = Date.now(),
): { page: string; oneClick: string } {
  const token = encodeURIComponent(
    signLink(config.sessionSecret, 'unsubscribe', userId, now + UNSUBSCRIBE_LINK_TTL_MS),
  );
  return {
    page: `${config.web.publicUrl}/unsubscribe?u=${userId}&token=${token}`,
    oneClick: `${config.api.publicUrl}/api/privacy/unsubscribe?u=${userId}&token=${token}`,
  };
}

/**
 * Sends a marketing message to one user if, and only if, they opted in and did not
 * object; with the unsubscribe link and headers. Deduplicated by campaign.
 */
export async function sendMarketingMail(
  deps: PrivacyMailDeps,
  em: EntityManager,
  input: { campaignId: string; userId: string; subject: string; body: string; deliverBy?: Date },
): Promise<MailResult | MarketingRefusal> {
  const user = await em.fork().findOne(User, { id: input.userId });
  if (!user) return 'inactive';
  const refusal = await marketingRefusal(em.fork(), user);
  if (refusal) return refusal;
  const links = unsubscribeLinks(deps.config, user.id);
  return sendLoggedMail(
    deps,
    em,
    {
      dedupeKey: `marketing:${input.campaignId}:${user.id}`,
      userId: user.id,
      template: 'marketing',
      category: 'marketing',
      deliverBy: input.deliverBy,
    },
    privacyEmails.marketing(user.email, input.subject, input.body, links.page, links.oneClick),
  );
}
