// Account emails whose answer must not depend on whether they went. Sign-up, a new
// confirmation link, a password reset and a sign-in lock answer the same whether or not
// the address has an account; a relay down or deferring would otherwise fail only the
// requests for registered addresses (a 503 against the unregistered ones' answer) and
// tell anyone who asks which addresses have accounts. The failure is logged by its codes
// alone, and the person asks again (a refusal for good is never thrown: stores/mail.ts).
import { MailNotSent } from '../platform/mail.ts';
import type { UseCaseDeps } from './deps.ts';

export async function sendUnseen(deps: UseCaseDeps, send: () => Promise<unknown>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (!(err instanceof MailNotSent)) throw err;
    deps.logger.warn({ err: { code: err.code, responseCode: err.responseCode } }, 'account mail not sent');
  }
}
