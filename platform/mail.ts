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

export async function sendMail(mailer: Mailer, message: MailMessage): Promise<void> {
  await mailer.transport.sendMail({ from: mailer.from, ...message });
}
