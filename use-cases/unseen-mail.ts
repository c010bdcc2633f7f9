// Account emails whose answer must not depend on whether they went. Sign-up, a new
// confirmation link, a password reset and a sign-in lock answer the same whether or not
// the address has an account; a relay down or deferring would otherwise fail only the
// requests for registered addresses (a 503 against the unregistered ones' answer) and
// tell anyone who asks which addresses have accounts. The failure is logged by its codes
// alone, and the person asks again (a refusal for good is never thrown: stores/mail.ts).
import type { EntityManager } from '@mikro-orm/postgresql';
import { MailNotSent, type MailMessage } from '../platform/mail.ts';
import { sendAccountMail, type AccountMailTemplate } from '../stores/accounts.ts';
import type { UseCaseDeps } from './deps.ts';

export async function sendAccountMailUnseen(
  deps: UseCaseDeps,
  em: EntityManager,
  entry: { userId: string; template: AccountMailTemplate },
  message: MailMessage,
): Promise<void> {
  try {
    await sendAccountMail(deps, em, entry, message);
  } catch (err) {
    if (!(err instanceof MailNotSent)) throw err;
    deps.logger.warn({ err: { code: err.code, responseCode: err.responseCode } }, 'account mail not sent');
  }
}
