// Outgoing mail over SMTP: the local catcher in development and tests, Resend or any
// SMTP relay in production (smtps://user:password@host:465).
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/index.ts';

export interface Mailer {
  transport: Transporter;
  from: string;
}

export function createMailer(mail: Config['mail']): Mailer {
  const url = new URL(mail.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (secure ? 465 : 587)),
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 15_000,
  });
  return { transport, from: mail.from };
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Marketing mail carries a List-Unsubscribe header (D-UNSUB); transactional mail does not. */
  headers?: Record<string, string>;
}

/**
 * A mail the relay did not take, named by what failed (nodemailer's code, the SMTP reply
 * code, whether the relay called it permanent), never by whom it was for: nodemailer's
 * own error quotes the relay's reply ("550 5.1.1 <jane@example.com>: Recipient address
 * rejected") in its message and lists the rejected addresses, and an activity's error
 * goes into the logs and the workflow's Temporal history.
 */
export class MailNotSent extends Error {
  override name = 'MailNotSent';
  readonly code: string | undefined;
  readonly responseCode: number | undefined;
  readonly permanent: boolean;
  constructor(code: string | undefined, responseCode: number | undefined, permanent: boolean) {
    const what = [code, responseCode].filter((part) => part !== undefined).join(' ') || 'no reply';
    super(`the mail relay did not take the mail: ${what}${permanent ? ' (permanent)' : ''}`);
    this.code = code;
    this.responseCode = responseCode;
    this.permanent = permanent;
  }
}

export async function sendMail(mailer: Mailer, message: MailMessage): Promise<void> {
  try {
    await mailer.transport.sendMail({ from: mailer.from, ...message });
  } catch (err) {
    const e = err as { code?: unknown; responseCode?: unknown; permanent?: unknown };
    throw new MailNotSent(
      typeof e.code === 'string' ? e.code : undefined,
      typeof e.responseCode === 'number' ? e.responseCode : undefined,
      e.permanent === true,
    );
  }
}
