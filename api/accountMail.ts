// Account emails (address confirmation links, password resets, parental consent, sign-in
// alerts) go into the email log like every other email (R-SUPPORT-3Y): a keyed hash of the
// address, the template and the time, never the link or the body. So a copy of someone's
// data lists them, and the log's sweep ends them on time.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sendLoggedMail } from '../stores/mail.ts';
import type { MailMessage } from '../platform/mail.ts';
import type { ApiDeps } from './deps.ts';

export type AccountMailTemplate =
  'verify_email' | 'already_registered' | 'parental_consent' | 'sign_in_locked' | 'password_reset';

export async function sendAccountMail(
  deps: Pick<ApiDeps, 'mailer' | 'config'>,
  em: EntityManager,
  entry: { userId: string; template: AccountMailTemplate },
  message: MailMessage,
): Promise<void> {
  // Each of these is its own event (a new link each time): nothing to deduplicate.
  await sendLoggedMail(
    deps,
    em,
    { dedupeKey: `${entry.template}:${randomUUID()}`, category: 'transactional', ...entry },
    message,
  );
}
