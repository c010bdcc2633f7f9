// A mail the relay refuses fails without naming its recipient (platform/mail.ts): the
// error reaches the logs and, from an activity, the workflow's history, where nodemailer's
// own quoted the relay's reply with the address and listed the rejected addresses. It
// says whether the refusal is for good, which decides whether sending again can help.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailNotSent, createMailer, sendMail, type Mailer } from '../../platform/mail.ts';
import { startRefusingRelay, type RefusingRelay } from '../support/refusing-relay.ts';

const REFUSED = 'jane.doe@example.com';
const DEFERRED = 'john.roe@example.com';
let relay: RefusingRelay;
let mailer: Mailer;

beforeAll(async () => {
  relay = await startRefusingRelay();
  relay.refuse(REFUSED);
  relay.defer(DEFERRED);
  mailer = createMailer({ smtpUrl: relay.smtpUrl, from: 'Clipwise <no-reply@clipwise.test>' });
});

afterAll(async () => {
  mailer?.transport.close();
  await relay?.close();
});

const failureOf = (to: string) =>
  sendMail(mailer, { to, subject: 'Hello', text: 'Hi' }).catch((e: unknown) => e);

describe('sending mail', () => {
  it('delivers to the relay', async () => {
    await sendMail(mailer, { to: 'someone@example.com', subject: 'Hello', text: 'Hi' });
    expect(relay.delivered).toContain('someone@example.com');
  });

  it('fails on a refused recipient with the relay’s codes and without the address', async () => {
    const error = await failureOf(REFUSED);
    expect(error).toBeInstanceOf(MailNotSent);
    expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 550, permanent: true });
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(REFUSED);
  });

  it('calls a deferred recipient a passing failure', async () => {
    const error = await failureOf(DEFERRED);
    expect(error).toBeInstanceOf(MailNotSent);
    expect(error).toMatchObject({ code: 'EENVELOPE', responseCode: 451, permanent: false });
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(DEFERRED);
  });
});
