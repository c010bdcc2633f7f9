// A mail the relay refuses fails without naming its recipient (platform/mail.ts): the
// error reaches the logs and, from an activity, the workflow's history, where nodemailer's
// own quoted the relay's reply with the address and listed the rejected addresses.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailNotSent, createMailer, sendMail, type Mailer } from '../../platform/mail.ts';

const REFUSED = 'jane.doe@example.com';
const received: string[] = [];
let server: SMTPServer;
let mailer: Mailer;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    // As relays answer an unknown mailbox: the address quoted in the reply.
    onRcptTo(address, _session, done) {
      if (address.address !== REFUSED) return done();
      done(
        Object.assign(new Error(`5.1.1 <${REFUSED}>: Recipient address rejected: User unknown`), {
          responseCode: 550,
        }),
      );
    },
    onData(stream, session, done) {
      stream.resume();
      stream.on('end', () => {
        received.push(...session.envelope.rcptTo.map((r) => r.address));
        done();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const { port } = server.server.address() as AddressInfo;
  mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Clipwise <no-reply@clipwise.test>' });
});

afterAll(async () => {
  mailer?.transport.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

describe('sending mail', () => {
  it('delivers to the relay', async () => {
    await sendMail(mailer, { to: 'someone@example.com', subject: 'Hello', text: 'Hi' });
    expect(received).toContain('someone@example.com');
  });

  it('fails on a refused recipient with the relay’s codes and without the address', async () => {
    const error = await sendMail(mailer, { to: REFUSED, subject: 'Hello', text: 'Hi' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MailNotSent);
    expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 550, permanent: true });
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(REFUSED);
  });
});
